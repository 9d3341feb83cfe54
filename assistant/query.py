"""From a customer's whole message to what the search engine is asked.

People describe needs ("something to keep my tea warm", "pressie for a 6yo who loves
dinosaurs") far more often than they type clean product names, and the parser's slots for such
messages are often fragments. So a search reads the *whole* message by meaning (dense side),
while the word-matching side (BM25) sees only the words that can name a product: never
numbers, ages, gift framing or request filler on their own. Slots the parser is unsure of, or
that are not plausible values for their type (colour = "scented", gender = "a", a price read
from "5 year old"), are dropped here rather than acted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from assistant.cues import cue
from assistant.parse.normalise import currency_of, parse_amount, price_direction
from assistant.parse.schema import Slots, Span
from retrieval.lexicon import COLOURS, GENDERS, MATERIAL_FORMS, MATERIALS, SIZE_WORDS  # noqa: F401  (re-exported)
from retrieval.lexicon import IE_PLURALS, singular

# Words that carry the request, not the product: never matched against titles on their own.
FILLER = {
    "need", "needs", "needed", "want", "wants", "wanted", "looking", "look", "find", "search", "show", "get", "go",
    "going", "goes",
    "buy", "buying", "got", "have", "has", "something", "anything", "things", "thing", "stuff", "item", "items",
    "product", "products", "please", "pls", "plz", "thanks", "thank", "cheers", "hi", "hello", "hey", "hiya",
    "gift", "gifts", "present", "presents", "pressie", "pressies", "prezzie", "prezzies", "idea", "ideas",
    "nice", "good", "lovely", "cute", "cool", "great", "perfect", "best", "decent", "suitable", "ok", "okay",
    "loves", "love", "likes", "like", "into", "mad", "obsessed", "enjoys", "keen", "year", "years",
    "yr", "yrs", "yo", "old", "month", "months", "age", "aged", "budget", "cheap", "cheaper", "price", "cost",
    "costs", "spend", "under", "below", "over", "above", "around", "about", "max", "maximum", "upto", "less",
    "more", "than", "within", "quid", "pounds", "pound", "rupees", "rs", "inr", "gbp", "tenner", "fiver",
    "would", "could", "can", "you", "u", "me", "i", "im", "my", "mine", "we", "our", "she", "he", "they",
    "her", "his", "him", "them", "their", "someone", "somebody", "kind", "sort", "type", "some", "any",
    "recommend", "suggest", "suggestion", "suggestions", "help", "options", "option", "which", "what",
    "whats", "do", "does", "sell", "stock", "also", "really", "very", "just", "maybe", "possibly", "k",
    "hundred", "thousand", "lakh", "paying", "pay", "new", "occasion", "surprise", "special", "wanna", "gonna", "lol", "ideally",
    "pricey", "expensive", "costly", "affordable", "sure", "dont", "don't", "arent", "aren't", "isnt", "isn't",
    "doesnt", "doesn't", "wont", "won't", "cant", "can't", "thats", "that's", "available",
    "hmm", "hmmm", "umm", "tbh", "tho", "ngl", "btw", "fyi", "haha", "hes", "shes", "theyre", "ive", "youre",
}
_AGE = re.compile(r"\b(\d{1,2})\s*-?\s*(?:years?|yrs?|yo|y/?o|yr)\b(?:[\s-]*old)?|\b(\d{1,2})\s*-?\s*(?:months?|mths?|mo)\b",
                  re.I)
_NOT_PRICE_AFTER = re.compile(r"^\s*-?\s*(?:years?|yrs?|yo\b|y/?o|months?|mths?|weeks?|days?|pack|pk|pcs|pieces?|"
                              r"piece|seater|seats?|cm|mm|m\b|inch|in\b|ft|feet|ml|l\b|litres?|liters?|kg|g\b|gb|tb|"
                              r"mah|w\b|watts?|v\b|ct\b|carats?|karats?|people|persons?|kids|children|guests|cups|slices|x\b|st|nd|rd|th)",
                              re.I)
# "less", "lower", "higher" talk about price unless another quality follows ("less breakable", "high heels")
_PRICE_TALK = re.compile(r"cheap|expensive|pric|cost|budget|afford|dear|premium|fanc|posh|upmarket|luxur|spend|"
                         r"money|bargain|econom|pound|quid|rupee|£|₹|\$|"
                         r"\b(?:less|lower|high(?:er)?)\b(?!\s+(?!(?:than|end|budget|range|please|pls|plz|then|still|maybe|if|ones?|tho|though|thanks)\b)[a-z]{3,})", re.I)
_PRICE_NOUN = re.compile(r"\b(?:prices?|priced|costs?)\b(?!\s+(?:less|more)\b)", re.I)  # asks it, moves it nowhere
_CHEAPER = re.compile(r"cheap|\bless\b|lower|budget|afford|bargain|econom|sast[aei]|save|saving|"
                      r"too (much|expensive|pricey)", re.I)
_PRICIER = re.compile(r"nicer|better|posher|fancier|premium|(?<!too )(?<!less )(?<!so )expensive|pricier|dearer|"
                      r"higher|quality|luxur|splurge|upmarket|high[- ]end|more money|proper|"
                      r"(?:isse|aur|zyada)\s+(?:thoda\s+)?mehn?g[aie]|mehn?g[aie]\s+(?:wala|wali|wale|dikhao|chahiye)", re.I)
_CURRENCY_NEAR = re.compile(r"[£$€₹]|\b(?:rs|inr|gbp|quid|pounds?|rupees?|bucks|dollars?|euros?|p)\b|\d\s?k\b|/-", re.I)
_PRICE_CUE = re.compile(r"(?:under|below|beneath|less than|cheaper than|lower than|at most|up ?to|max(?:imum)?|within|"
                        r"no more than|not more than|not over|budget(?: of| is)?|spend(?:ing)?|over|above|more than|"
                        r"at least|min(?:imum)?|around|about|approx(?:imately)?|roughly|between|from|costs?|costing|"
                        r"priced(?: at)?|price|for less than)\s*$", re.I)
_WORD = re.compile(r"[a-z][a-z']*", re.I)
_BOUND_AFTER = re.compile(r"\s*(?:se kam|se neeche|se zyada|se jyada|se upar|tak\b|ke andar|ke neeche|or less|or under|"
                          r"or more|or over|max\b|tops\b)", re.I)  # "500 se kam": a budget said after its amount
_COUNTED = re.compile(r"^\s*(?!(?:quid|pounds|rupees|bucks|dollars|euros|pence|cents|rs|k|lakhs|lacs|thousands|hundreds|grands)\b)[a-z]{3,}s\b", re.I)
_KARAT = re.compile(r"^\s*(?:gold|diamond|white|yellow|rose|solid|plated|hallmark)", re.I)
_FAN_OF = re.compile(r"\b(?:(?:a |an |the |such a |big |huge |massive |mega |super |true )*fan of|(?:is|'s|am|are) "
                     r"(?:a |such a |the )?(?:big |huge |massive |mega )?fans?)\b", re.I)
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b", re.I)


def stem(word: str) -> str:
    """A light plural stemmer: enough to match "candles" to CANDLE and "berries" to BERRY; a
    material said as an adjective is the material ("wooden": WOOD)."""
    word = word.lower()
    if word in MATERIAL_FORMS:
        return MATERIAL_FORMS[word]
    if word in IE_PLURALS:  # "neckties": NECKTIE
        return IE_PLURALS[word]
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1}


def singulars(text: str) -> set[str]:
    """The product words of a text in the singular the store's kinds are written in ("vases": vase)."""
    return {singular(w) for w in lexical_words(text)}


@dataclass
class SearchPlan:
    """What one search asks: ``dense`` (the meaning), ``lexical`` (only product-naming words;
    empty = by meaning only) and the slots that survived the plausibility checks."""

    dense: str
    lexical: str
    slots: Slots
    dropped: list[str] = field(default_factory=list)
    avoid: list[str] = field(default_factory=list)  # words the products must not have ("not glass")


def _bare_words(value: str) -> set[str]:
    """A value's words without a possessive ("women's": women)."""
    return {w.removesuffix("'s").strip("'") for w in _WORD.findall(value.lower())}


def plausible(slots: Slots, message: str) -> tuple[Slots, list[str]]:
    """The slots with every implausible value removed, and the names of what was removed; a
    budget the tagger missed is read from the words ("under a fiver")."""
    slots = slots.model_copy(deep=True)
    dropped: list[str] = []
    checks = {"colour": COLOURS, "material": MATERIALS, "gender": GENDERS}
    for name, known in checks.items():
        value = slots.attributes.get(name)
        if value is not None and not (_bare_words(value) & known):
            slots.attributes.pop(name)
            # the tagger took the right word for the wrong field: "same idea but zinc" as a colour
            other = {"colour": "material", "material": "colour"}.get(name)
            if other and other not in slots.attributes and _bare_words(value) & checks[other]:
                slots.attributes[other] = value
            else:
                dropped.append(name)
    size = slots.attributes.get("size")
    if size is not None and not (re.search(r"\d", size) or set(_WORD.findall(size.lower())) & SIZE_WORDS):
        slots.attributes.pop("size")
        dropped.append("size")
    comparative = cue("comparative_price").search(message)
    if slots.price_change is None and comparative:
        # a comparative of price or quality is a price change whether or not the parser tagged it
        slots.price_change = "higher" if _PRICIER.search(comparative.group(0)) else "lower"
    if slots.price_change and not _PRICE_TALK.search(_PRICE_NOUN.sub(" ", message)) and not comparative:
        slots.price_change = None  # "similar but bigger", "looks right, price?": no price change
        dropped.append("price_change")
    elif slots.price_change == "lower" and _PRICIER.search(message) and not _CHEAPER.search(message):
        slots.price_change = "higher"  # "something a bit nicer, up to £15" asks for more, not less
    elif slots.price_change == "higher" and _CHEAPER.search(message) and not _PRICIER.search(message):
        slots.price_change = "lower"
    if slots.min_price and slots.max_price and abs(slots.max_price / slots.min_price - 5 / 3) < 0.01:
        centre = round((slots.min_price + slots.max_price) / 2, 2)  # "around £10" became a band
        if not _priced(message, centre):
            slots.min_price = slots.max_price = None
            dropped += ["min_price", "max_price"]
    for name in ("min_price", "max_price"):
        amount = getattr(slots, name)
        if amount is not None and not _priced(message, amount):
            setattr(slots, name, None)
            dropped.append(name)
        elif amount is not None and re.search(rf"(?<![\d.]){amount:g}\s?p\b", message, re.I):
            setattr(slots, name, round(amount / 100, 2))  # "below 50p" is half a pound
    if slots.brand and _WORD_AMOUNT.fullmatch(slots.brand.strip()):
        slots.brand = None  # "under a fiver": an amount the tagger took for a brand
        dropped.append("brand")
    tagged = slots.min_price is not None or slots.max_price is not None
    both = slots.min_price is not None and slots.max_price is not None
    if not both and not _read_range(slots, message, loose=not tagged) and not tagged:
        _read_budget(slots, message)  # the tagger missed it: "not paying more than 8 quid", "under a fiver"
    return slots, dropped


def _priced(message: str, amount: float) -> bool:
    """Whether ``amount`` appears in the message as a price rather than an age, a size or a
    count ("8 year old", "pack of 12", "size 10"); amounts written in words always count."""
    numbers = [m for m in re.finditer(r"(\d[\d,]*(?:\.\d+)?)\s*(k\b)?", message)
               if _close(float(m.group(1).replace(",", "")) * (1000 if m.group(2) else 1), amount)]
    if not numbers:
        return True  # "a tenner", "twenty quid": no digits to misread
    for m in numbers:
        before = message[max(0, m.start() - 40):m.start()].lower()
        after = message[m.end():m.end() + 12]
        if _NOT_PRICE_AFTER.match(after) or re.search(r"(?:size|age|aged|pack of|set of|no\.?)\s*$", before):
            continue
        if m.group(2) and _KARAT.match(after):  # "18k gold", "14k diamond ring": carats
            continue
        if _COUNTED.match(message[m.end():m.end() + 30]):  # "about 20 presents to wrap": a count
            continue
        # A bare number is a price only with a currency or a price word next to it: "my son is
        # 12" and "for 6 people" are not budgets.
        if _CURRENCY_NEAR.search(message[max(0, m.start() - 4):m.end() + 16]) or _PRICE_CUE.search(before) \
                or _BOUND_AFTER.match(after) or re.search(r"\bbudget\b", message, re.I):
            return True
    return False


_AMOUNT = re.compile(r"(?:[£$€₹]\s?|\brs\.?\s?|\binr\s?)?\d[\d,]*(?:\.\d+)?(?:\s?(?:k\b|hundred|thousand|grand|lakhs?))?"
                     r"(?:\s?(?:quid|pounds?|rupees?|rs\b|/-|bucks|p\b))?|\ba (?:tenner|fiver)\b", re.I)


_RANGE = re.compile(r"(?:between|from)\s+((?:[£₹]|rs\.?\s?)?\d[\d,.]*\s?k?)\s*(?:and|to|-)\s*((?:[£₹]|rs\.?\s?)?\d[\d,.]*\s?k?"
                    r"(?:\s?(?:quid|pounds?|rupees?|rs\b))?)", re.I)


# "1500 to 3000 range", "10k-20k", "budget 1500-2000": a range without "between", priced by a unit or a word
_BARE_RANGE = re.compile(r"\b(\d[\d,.]*\s?k)\s*(?:to|-)\s*(\d[\d,.]*\s?k)\b|"
                         r"\b(\d[\d,.]*)\s*(?:to|-)\s*(\d[\d,.]*)(?=\s*(?:range|budget|rs\b|rupees|quid|pounds|inr|gbp))|"
                         r"\bbudget\s*(?:is|of|:)?\s*(?:around|about|like)?\s*(\d[\d,.]*)\s*(?:to|-)\s*(\d[\d,.]*)",
                         re.I)


def _read_range(slots: Slots, message: str, loose: bool = True) -> bool:
    """A price range said in words ("budget 1500-2000", "between £5 and £10"): both its bounds.
    Beside a bound the tagger marked, only a range priced by its words replaces it ("aged between 5
    and 8, under £10" keeps the £10)."""
    ranged = (_RANGE.search(message) if loose else None) or _BARE_RANGE.search(message)
    if not ranged:
        return False
    low_text, high_text = [g for g in ranged.groups() if g is not None][:2]
    low, high = parse_amount(low_text), parse_amount(high_text)
    if low is None or high is None or not 0 < low < high:
        return False
    slots.min_price, slots.max_price = low, high
    slots.currency = slots.currency or currency_of(ranged.group(0))
    return True


def _read_budget(slots: Slots, message: str) -> None:
    """A budget the tagger did not mark, read from a price-shaped amount and its cue words."""
    for match in sorted([*_AMOUNT.finditer(message), *_WORD_AMOUNT.finditer(message)], key=lambda m: m.start()):
        amount = _amount_of(match.group(0))
        if amount is None or amount <= 0 or not _priced(message, amount):
            continue
        span = Span(start=match.start(), end=match.end(), type="max_price", text=match.group(0))
        kind = price_direction(message, span)
        if kind == "price":
            slots.min_price, slots.max_price = round(amount * 0.75, 2), round(amount * 1.25, 2)
        else:
            setattr(slots, kind, amount)
        slots.currency = slots.currency or currency_of(match.group(0))
        return


_NUM_WORD = (r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
             r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|grand|couple(?: of)?)")
# Amounts people write in words: "a fiver", "two pound fifty", "fifteen hundred rupees", "a couple of quid".
_WORD_AMOUNT = re.compile(
    rf"\b(?:{_NUM_WORD}[\s-]+)+(?:quid|pounds?|rupees?|bucks|dollars?)(?:[\s-]+(?:ten|twenty|thirty|forty|fifty|"
    rf"sixty|seventy|eighty|ninety)(?:[\s-]+(?:five|nine))?\b(?!\s+(?:pence|p\b)))?\b|"
    rf"(?:(?<=\bunder )|(?<=\bbelow )|(?<=\bwithin )|(?<=\bthan ))(?:{_NUM_WORD}[\s-]+)*(?:hundred|thousand|grand)\b|"
    rf"\b(?:a |one )?(?:tenner|fiver)\b", re.I)
_POUNDS_AND_PENCE = re.compile(r"^(.*?)\s*(?:quid|pounds?)[\s-]+(\w+(?:[\s-]+\w+)?)$", re.I)


def _amount_of(text: str) -> float | None:
    """``50p`` → 0.5, "two pound fifty" → 2.5, else as :func:`parse_amount` reads it."""
    pence = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s?p\s*", text, re.I)
    if pence:
        return round(float(pence.group(1)) / 100, 2)
    split = _POUNDS_AND_PENCE.match(text.strip())
    if split and not re.search(r"\d", text):
        pounds, pence_words = parse_amount(split.group(1)), parse_amount(split.group(2))
        if pounds is not None and pence_words is not None and pence_words < 100:
            return round(pounds + pence_words / 100, 2)
    return parse_amount(text)


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 0.01 or (b > 0 and abs(a - b) / b < 0.01)


def lexical_words(message: str, extra_filler: set[str] = frozenset()) -> list[str]:
    """The message's words that may name a product, in order: no numbers, ages, filler."""
    text = _FAN_OF.sub(" ", _ORDINAL.sub(" ", _AGE.sub(" ", message)))
    words = []
    for word in _WORD.findall(text.lower()):
        word = word.strip("'").removesuffix("'s")
        if len(word) > 1 and word not in FILLER and word not in STOPWORDS and word not in extra_filler \
                and word not in words:
            words.append(word)
    return words


def child_age(message: str) -> int | None:
    found = _AGE.search(message)
    if not found:
        return None
    if found.group(2):
        return 0
    age = int(found.group(1))
    return age if age < 18 else None


def plan_search(message: str, slots: Slots, gift: bool = False) -> SearchPlan:
    """The search for a new request: the whole message by meaning, its product words by BM25,
    the slots that are plausible. Price phrases are left out of both texts (the filter has them).
    For a gift, who it is for ("mum", "my boss") and the occasion only steer the meaning: word
    matching keeps to what they like, when the message says ("a mad cat lady" → cat)."""
    kept, dropped = plausible(slots, message)
    avoid = without_words(message)
    for name, value in list(kept.attributes.items()):
        if avoid and set(_WORD.findall(value.lower())) <= set(avoid):  # "aren't glass" tagged as material glass
            kept.attributes.pop(name)
    text = without_avoided(_without_prices(message)) if avoid else _without_prices(message)
    gifting = (gift or cue("gift").found(message)) and not cue("asks_wrapping").found(message)
    if not gifting and is_keywords(text):  # typed as into a search box: every word counts, numbers too
        return SearchPlan(dense=text or message, lexical=" ".join(keyword_words(text)), slots=kept, dropped=dropped,
                          avoid=avoid)
    words = [w for w in lexical_words(text) if w not in avoid]
    naming = _names_product(text, words)
    if gifting:
        words = _gift_words(words)
    else:  # "birthday card" asks for a card; "for her birthday" says when
        words = [w for w in words if w not in _WHEN or w in naming]
    return SearchPlan(dense=text or message, lexical=" ".join(words), slots=kept, dropped=dropped, avoid=avoid)


_PERSON_BEFORE = {"my", "our", "for", "apne", "apni", "mere", "meri", "mera", "hamare"}  # "apne papa ke liye"
_PERSON_AGE = {"little", "big", "baby", "older", "younger", "eldest", "youngest"}
_NEXT_PERSON = {"now", "next", "then", "too", "in", "law"}  # "mum next", "now my niece", "brother in law"
_OPENERS = {"and", "oh", "ok", "okay", "so", "right", "first", "also", "back", "lastly", "finally", "what", "about"}


_HINDI_FOR = re.compile(r"(?:ji )?k[ei] li?ye?\b")  # "bhabhi ke liye": for her, said after the person


def recipient_for(message: str) -> str | None:
    """Who the need is for, said with "for" ("looking for something for my dad")."""
    return next((f.group(1).lower() for f in cue("for_someone").finditer(message) if f.group(1).lower() in RECIPIENTS),
                None)


def named_recipient(message: str, topic: bool = False) -> str | None:
    """The person a message names as the one shopped for: "for my dad", "my mum loves candles",
    "grandad now" (a person opening a clause, or after "my", "our" or "for"). With ``topic``,
    only a person named as the next one to shop for, the clause's subject of nothing ("right,
    now my niece", "mum next"; not "my brother will just get her flowers")."""
    message = message.replace("\u2019", "'")  # "my sister’s bday", typed on a phone
    told = recipient_for(message) if not topic else None
    if told:
        return told
    for clause in re.split(r"[,.;!?]+", message.lower()):
        words = [w.removesuffix("'s") for w in _WORD.findall(clause) if w not in _PERSON_AGE]
        for i, word in enumerate(words):
            named = stem(word) in RECIPIENTS and (i == 0 or words[i - 1] in _PERSON_BEFORE
                                                  or _HINDI_FOR.match(" ".join(words[i + 1:i + 4])) is not None)
            if named and (not topic or _next_person(words, i)):
                return stem(word)
    return None


def _next_person(words: list[str], i: int) -> bool:
    """Whether the person at ``words[i]`` is named as the next one to shop for: opening the clause
    ("right, now my niece"; not "i'll ask my sister", "it's for my dad") and followed by nothing, a
    sequence word ("mum next") or an occasion of theirs ("my sister's bday is the same week")."""
    before, rest = words[:i], words[i + 1:]
    opens = all(w in _NEXT_PERSON | _OPENERS | {"my", "our"} for w in before)
    return opens and (all(w in _NEXT_PERSON for w in rest) or (rest[0] in _THEMED | _WHEN if rest else False))


def says_what_they_like(words: Sequence[str]) -> bool:
    """Whether a gift message's words say anything about the person beyond who they are and
    the occasion ("for my dad" says nothing; "he likes his garden" does)."""
    return any(stem(w) not in RECIPIENTS and stem(w) not in _PEOPLE and w not in OCCASIONS
               and w not in _SETTING and w not in _THEMED for w in words)


def _gift_words(words: list[str]) -> list[str]:
    """A gift message's words for word matching: what the person likes, when it says; else who
    it is for ("mum" mugs) and a themed occasion ("birthday"), never the framing around them
    ("her first flat" is not a FIRST AID TIN)."""
    liked = [w for w in words if stem(w) not in RECIPIENTS and w not in OCCASIONS and w not in _SETTING]
    if liked:
        return liked
    themed = [_THEMES.get(w, w) for w in words
              if stem(w) in RECIPIENTS or stem(w) in _PEOPLE or w in _THEMES or w in _THEMED]
    return list(dict.fromkeys(themed))


def asks_for_a_gift(message: str) -> bool:
    """Gift words that do not ask for the wrapping itself ("a present for my dad", not "gift bags")."""
    return cue("gift").found(message) and not cue("asks_wrapping").found(message)


# Words that make a message a sentence to someone rather than a search box's keywords.
_SENTENCE = {"i", "im", "i'm", "me", "my", "we", "our", "us", "you", "u", "need", "want", "wanted", "looking", "find",
             "show", "get", "buy", "have", "got", "please", "pls", "plz", "can", "could", "would", "something",
             "anything", "any", "some", "what", "which", "whats", "do", "does", "is", "are", "he", "she", "they", "his",
             "her", "him", "their", "them", "hi", "hello", "hey", "thanks", "who", "loves", "likes", "into"}
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'.]*[a-z0-9]|[a-z0-9]", re.I)


def is_keywords(text: str) -> bool:
    """A short string of words without the pronouns and verbs of a sentence ("mini usb fan",
    "cake cases 60 pack"): what people type into a shop's search box."""
    words = _WORD.findall(text.lower())
    return 0 < len(words) <= 6 and not set(words) & _SENTENCE


def keyword_words(text: str) -> list[str]:
    """A search-box query's words for word matching: all but stop words, ages and budgets;
    counts and sizes ("60 pack", "16gb", "300ml") stay, as the titles carry them."""
    words = []
    for word in _TOKEN.findall(_AGE.sub(" ", text).lower()):
        word = word.strip("'.").removesuffix("'s")
        if not word or word in STOPWORDS or word in _BUDGET_WORDS or word in words:
            continue
        if re.fullmatch(r"\d[\d,]*(?:\.\d+)?[kp]?", word) and _priced(text, parse_amount(word) or -1.0):
            continue  # "loafers under 700": the filter has it
        words.append(word)
    return words


_BUDGET_WORDS = {"under", "below", "over", "above", "less", "than", "max", "maximum", "upto", "within", "budget",
                 "around", "approx", "quid", "pounds", "pound", "rupees", "rs", "inr", "gbp", "price", "cost",
                 "cheap", "cheaper", "pricey", "expensive", "costly", "affordable", "not"}


def _names_product(text: str, words: list[str]) -> set[str]:
    """Occasion words that qualify the product word right after them ("birthday card",
    "wedding ring"): part of what is asked for, not who or when it is for."""
    said = [w.strip("'").removesuffix("'s") for w in _WORD.findall(text.lower())]
    return {a for a, b in zip(said, said[1:]) if a in OCCASIONS and b in words and b not in OCCASIONS
            and b not in RECIPIENTS}


_PRICE_PHRASE = re.compile(
    r"(?:\b(?:under|below|less than|cheaper than|up to|upto|max(?:imum)?|within|budget(?: of| is)?|over|above|"
    r"more than|at least|around|about|between|from|for|no more than|not more than)\s+)?"
    r"(?:[£$€₹]\s?\d[\d,]*(?:\.\d+)?\s?k?|\d[\d,]*(?:\.\d+)?\s?(?:k\b|hundred|thousand|lakhs?|quid|pounds?|rupees?|rs\.?|inr|gbp|"
    r"bucks|dollars?)"
    r"|(?:rs\.?|inr)\s?\d[\d,]*(?:\.\d+)?|\ba (?:tenner|fiver)\b|\b(?:tenner|fiver)\b)"
    r"(?:\s*(?:-|to|and)\s*[£$€₹]?\s?\d[\d,]*(?:\.\d+)?\s?k?)?", re.I)


def _without_prices(message: str) -> str:
    return " ".join(_PRICE_PHRASE.sub(" ", message).split())


_BIG_SIDE = {"big", "large", "huge", "long", "wide", "tall", "bulky"}  # "too big": smaller ones wanted


RECIPIENTS = {"son", "daughter", "husband", "wife", "boyfriend", "girlfriend", "partner", "mum", "mom", "mother",
              "dad", "father", "nephew", "niece", "brother", "sister", "grandma", "granny", "nan", "grandad",
              "grandpa", "grandson", "granddaughter", "friend", "cousin", "aunt", "uncle", "teacher", "colleague",
              "boss", "bhai", "didi", "mummy", "papa", "gf", "bf", "hubby", "chacha", "chachi", "bhabhi", "jiju",
              "mausi", "masi", "bua", "tauji"}
OCCASIONS = {"mothers", "mother's", "fathers", "father's", "day", "valentines", "valentine", "anniversary", "wedding",
             "retirement", "leaving", "farewell", "thank", "birthday", "bday", "christening", "baptism", "graduation", "diwali", "rakhi",
             "eid", "karwa", "chauth", "sunday", "weekend", "next", "week", "month", "lady", "man", "guy", "girl", "boy",
             "mate", "best", "little", "big", "who", "loves", "everything", "nothing", "already", "hard", "buy",
             "idea", "ideas", "clue", "clueless", "sure", "know", "dunno", "sort", "few", "first", "law", "right", "back"}
_WHEN = {"birthday", "bday", "christening"}
# Words that set the scene of a gift without naming anything to buy.
_SETTING = {"first", "flat", "house", "home", "housewarming", "moving", "moved", "place", "apartment", "starting",
            "start", "job", "school", "uni", "university", "college", "shower", "party", "engagement",
            "engaged", "getting", "married", "promotion", "recovering", "get", "well", "soon"}
_THEMED = {"birthday", "wedding", "anniversary", "valentine", "valentines", "christening", "baby", "christmas", "xmas",
           "easter", "diwali", "rakhi", "eid", "retirement", "graduation", "engagement", "home"}
_PEOPLE = {"girl", "boy", "lady", "man", "men", "women", "guy", "kid", "teen", "teenager", "toddler", "baby", "couple"}
_THEMES = {"housewarming": "home", "flat": "home", "house": "home", "bday": "birthday", "married": "wedding"}
STOPWORDS = {"it", "its", "is", "are", "was", "be", "a", "an", "the", "and", "or", "but", "for", "of", "to", "in", "on",
             "with", "at", "by", "from", "as", "so", "too", "if", "then", "than", "this", "that", "thats", "that's",
             "these", "those", "ones", "one", "only", "just", "all", "no", "not", "yes", "yeah", "ok", "okay", "same",
             "other", "else", "again", "instead", "now", "too", "bit", "lot", "little", "way", "there", "here",
             "please"}


def size_change(message: str) -> str | None:
    """"similar but bigger" → the size words that mark bigger products in titles; "not too big"
    (or "too big") asks for smaller ones, "too small" for bigger."""
    too = cue("too_big_or_small").search(message)
    if too and too.group(1).lower() in _BIG_SIDE:
        return "small mini tiny little"
    if too or cue("bigger").found(message):
        return "large big jumbo giant extra large maxi tall"
    if cue("smaller").found(message):
        return "small mini tiny little"
    return None


_WITHOUT = re.compile(r"\b(?:not (?:keen on|a fan of|into|fond of|mad on)(?:\s+(?:anything|any))?(?:\s+too)?|"
                      r"without|no|not|except|minus|avoid|nothing with|none with|non|other than|apart from|"
                      r"instead of|rather than|but not|(?<!to )(?:remove|get rid of|take (?:out|away)|filter out|ditch)|"
                      r"(?:don'?t|do not|doesn'?t|does not|won'?t|will not|wouldn'?t|would not|never) "
                      r"(?:want|like|need|say|have|use|wear)"
                      r"(?:\s+(?:any|it in|them in))?|(?:is|are|was|were|do|does)n'?t(?:\s+(?:made of|made from|"
                      r"made with|in))?|hates?|allergic to|nothing(?:\s+too)?|gone off|any colou?r but|anything but)"
                      r"[\s-]+(?:for\s+)?(?:(?:any|anything|something|stuff|things?|ones?)"
                      r"(?:\s+(?:with|made of|in))?\s+|the\s+|a\s+|an\s+|those\s+|these\s+)?"
                      r"(?:ones?\s+(?:with|in|made of)\s+(?:a\s+|an\s+)?)?"
                      r"([a-z][a-z'-]+)", re.I)
_NOT_AVOIDED = FILLER | STOPWORDS | {"more", "sure", "really", "very", "much", "mind", "matter", "care", "know", "mean",
                                     "meant", "worry", "expensive", "pricey", "dear", "fussed", "bothered", "problem",
                                     "big", "small", "too", "so", "delivery", "shipping", "returns", "available",
                                     "stock", "sold", "working", "happy", "right", "cheap", "cheaper", "enough",
                                     "quite", "yet", "sent",
                                     "arrived", "received", "delivered", "here", "there", "what", "fixed", "fussy"}


# "skulls no, dinosaurs no", "polyester nahi chahiye": the word ruled out said before its "no"
_WITHOUT_AFTER = re.compile(r"\b([a-z][a-z'-]+)\s+(?:no|nahi|nahin|nai)\b(?=\s*(?:[^\w\s]|$|chahiye|please|pls|thanks|lol|haha|tbh))",
                            re.I)
_NOT_AVOIDED_BEFORE = {"oh", "ah", "um", "umm", "erm", "sorry", "well", "god", "nah", "yes", "yeah", "haan", "say",
                       "said", "answer", "is", "was", "it's", "its", "that's", "or", "and", "but", "so", "ugh",
                       "abhi", "ab", "bilkul", "bas", "ji", "toh", "to", "ye", "yeh", "wo", "woh", "kuch", "na",
                       "think", "guess", "suppose", "maybe", "hmm"}


def _ruled_out_before(word: str) -> bool:
    """Whether the word said before a "no" is a thing ruled out ("skulls no"), not an adverb or a
    filler ("actually no", "oh no", "nahi abhi nahi")."""
    word = word.lower()
    return word not in _NOT_AVOIDED | _NOT_AVOIDED_BEFORE and not word.endswith("ly")


def without_words(message: str) -> list[str]:
    """"any without glitter", "candle holders that aren't glass", "skulls no" → the words the
    products must not have: ["glitter"], ["glass"], ["skulls"]."""
    text = cue("no_idiom").cut(message)
    found = [m.group(1).lower() for m in _WITHOUT.finditer(text)] \
        + [m.group(1).lower() for m in _WITHOUT_AFTER.finditer(text) if _ruled_out_before(m.group(1))]
    return list(dict.fromkeys(w for w in found if w not in _NOT_AVOIDED | _NOT_AVOIDED_BEFORE))


def without_avoided(message: str) -> str:
    """The message with its "not glass" / "no glitter" phrases cut: the meaning side of a
    search cannot read a negation, so the negated word would pull those products in."""
    cut = _WITHOUT.sub(lambda m: m.group(0) if m.group(1).lower() in _NOT_AVOIDED else " ", message)
    return " ".join(_WITHOUT_AFTER.sub(lambda m: " " if _ruled_out_before(m.group(1)) else m.group(0), cut).split())


def kind_words(title: str) -> list[str]:
    """The title's words that may name what the product is: not a colour, size, material or
    number. Which one does depends on the store ("RETROSPOT CANDLE LARGE", "JUMBO BAG VINTAGE
    CHRISTMAS"), so the search picks the one most of its results share (``Shopper.search``)."""
    return [w for w in dict.fromkeys(_WORD.findall(title.lower()))
            if w not in COLOURS | SIZE_WORDS | MATERIALS | GENDERS | STOPWORDS and len(w) > 2]
