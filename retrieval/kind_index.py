"""The product kinds a store sells, read from its own catalogue, and which products are of one.

A kind word is a word of a category level (the categorised stores: "Sports Shoes", "Wrist
Watches", "Coffee Mugs") or a derived kind (``retrieval.kinds``, for a store of titles only:
"candle", "lunch"), used by at least ``MIN_PRODUCTS`` products; colours, materials, sizes,
genders, and the product's own brand never count. The dialogue engine asks it two things:
which kinds a message names (so a turn that names none never replaces what the customer is
shopping for), and whether a product is of a kind (so shown products are of the kind asked for,
whatever a colour or an occasion word pulled up).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from retrieval.kinds import KIND
from retrieval.lexicon import (COLOURS, GENDERS, KIND_SYNONYMS, MATERIALS, OCCASION_WORDS, PATTERNS, PLACE_WORDS,
                               SIZE_WORDS, singular)
from retrieval.product import Product

MIN_PRODUCTS = 3
NARROWS = 0.8  # share of a kind's products that another kind must hold to be the broader one
LINE_LEAST = 10  # titles that must start a size word + kind pair for it to be a product line ("jumbo bag")
_WORD = re.compile(r"[a-z][a-z-]+")
_NEVER = COLOURS | MATERIALS | SIZE_WORDS | GENDERS | PATTERNS | {
    "and", "for", "the", "with", "set", "sets", "other", "others", "accessories", "accessory", "combo", "combos",
    "kits", "kit", "wear", "needs", "festive", "collection", "collections", "care", "personal", "products",
    "general", "world", "essentials", "mens", "womens", "kids", "unisex", "western", "casual", "party", "formal",
    "home", "more", "daily", "winter", "seasonal", "ethnic", "traditional", "gift", "gifts", "design", "vintage",
    "size", "sizes"}


_LOOKS = {"style", "styles", "styled", "printed", "patterned", "theme", "themed", "look", "motif", "vibe", "vibes",
          "inspired"}  # not "design" or "print": "a mug design", "a canvas print" name the thing
_PURPOSE = {"for", "near", "on", "under", "beside", "inside", "into", "onto", "fits", "fit", "match", "matches",
            "with"}  # "a lunch box with cutlery": what it comes with
_SEEKING = {"looking", "look", "looks", "searching", "search", "shopping", "shop", "hunting", "hunt", "browsing",
            "asking", "ask"}  # "looking for a doorstop": the "for" of a seeking verb brings the thing sought
_TOKEN = re.compile(r"[a-z][a-z'’-]*")


def _for_something(tokens: list[str], start: int, end: int) -> bool:
    """Whether a purpose word among ``tokens[start:end]`` makes the next kind word say what a
    thing is for ("trainers for the gym"), not what is sought ("looking for a doorstop")."""
    return any(tokens[j] in _PURPOSE and not (tokens[j] == "for" and j > 0 and tokens[j - 1] in _SEEKING)
               for j in range(start, end))


def _tokens(text: str) -> list[str]:
    """A message's words: "mum's" reads as "mum", and a contraction ("she'd", "i'll") is no
    word of a product ("she'd" is not "shed")."""
    out = []
    for raw in _TOKEN.findall(text.lower()):
        raw = raw.replace("’", "'")
        if raw.endswith("'s"):
            raw = raw[:-2]
        if "'" in raw:
            continue
        out.append(raw)
    return out


def _words(text: str) -> list[str]:
    return [singular(w.strip("-")) for w in _WORD.findall(text.lower().replace("'", "")) if len(w.strip("-")) > 2]


def product_kinds(product: Product) -> set[str]:
    """The kind words a product carries: its derived kind, its category levels' words."""
    return _kind_words(product, product.category)


def _adjacent(pair: list[str], words: list[str]) -> bool:
    return any(words[i:i + 2] == pair for i in range(len(words) - 1))


def _names_product(level: str, title: list[str]) -> bool:
    """A category level that is the product's title (its words ``title``), cut short as some
    catalogues store it."""
    words = _words(level)  # four words or more: "Car Sun Shades" over "Car Sun Shade for Swift" is a category
    return len(words) >= 4 and title[:len(words) - 1] == words[:-1]


def _read_levels(shared: list[list[str]], said: list[list[str]]):
    """From each product's category levels (``shared``) and title words (``said``): the levels
    each word is in, the words that are a level alone, and each short level's kind (its last
    word, and its last two when titles say them together) with the levels naming it."""
    levels: dict[str, set[str]] = {}
    alone: set[str] = set()  # words that are a whole category level by themselves ("heels")
    short: dict[str, Counter] = {}
    for kept, title in zip(shared, said):
        for level in kept:
            words = _words(level)
            alone |= set(words) if len(words) == 1 else set()
            for w in words:
                levels.setdefault(w, set()).add(level.lower())
            if 1 <= len(words) <= 3 and words[-1] not in _NEVER:  # "Bath Mats", "Car Sun Shades"
                short.setdefault(words[-1], Counter())[level] += 1
                if len(words) >= 2 and _adjacent(words[-2:], title):  # "sun shade", not "pots pans"
                    short.setdefault(" ".join(words[-2:]), Counter())[level] += 1
    return levels, alone, short


def _kind_words(product: Product, levels: Iterable[str]) -> set[str]:
    brand = set(_words(product.brand or ""))
    found = set(_words(product.attributes.get(KIND, "")))
    for level in levels:
        found |= {w for w in _words(level) if w not in brand}
    return found - _NEVER


def word_root(word: str) -> str:
    """A word without its plural or verb ending, for meeting other forms of it: "knits",
    "knitting" → knit; "bakes", "baking" → bak; "horses", "horse" → hors."""
    word = word.lower()
    for suffix in ("ings", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    word = word.removesuffix("e") if len(word) > 3 else word
    return word[:-1] if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiouls" else word


def _by_root(word: str, roots: frozenset[str]) -> bool:
    """A word with an ending ("knits") meets a title word of its root ("knitting"); a bare word
    ("hang", "even", "set") does not meet one with an ending (HANGING, EVENING, SETTING)."""
    root = word_root(word)
    return root != word.lower() and len(root) >= 4 and root in roots


class KindIndex:
    """Example:
        >>> index = KindIndex.from_products(products)
        >>> index.named("i need some coffee mugs for the office")
        ['coffee', 'mug']
    """

    def __init__(self, vocabulary: Iterable[str], phrases: Iterable[tuple[str, str]] = (),
                 title_words: Iterable[str] = (), levels: dict[str, str] | None = None,
                 titles: dict[str, list[str]] | None = None, alone: Iterable[str] = (),
                 grouped: dict[str, set[int]] | None = None, heads: Iterable[str] = (),
                 compounds: Iterable[tuple[str, str]] = ()):
        self.vocabulary = frozenset(vocabulary)
        self.phrases = frozenset(phrases)  # ("lunch", "bag"): a kind word and the title word before it
        self.title_words = frozenset(title_words)  # words product titles use: themes, styles, features
        self.levels = dict(levels or {})  # kind word → the category level that is that kind ("tshirts")
        self.titles = dict(titles or {})  # kind word → its products' titles, lower case
        self.alone = frozenset(alone)  # kind words that are a whole category level by themselves ("belts")
        self.grouped = dict(grouped or {})  # kind word → the products its category levels (not titles) put in it
        self.title_roots = frozenset(word_root(w) for w in self.title_words)  # "knitting", "sewing": knit, sew
        self.heads = frozenset(heads) | self.title_words  # words two titles or more use: a thing two products are
        self.compounds = frozenset(compounds)  # ("tea", "cosy"): a kind word and a thing two titles or more put after it

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> "KindIndex":
        """Kind words used by ``MIN_PRODUCTS`` products or more; on a categorised store, only
        words that are a whole level ("Heels") or that more than one level uses ("tops" in "Tops"
        and "Shirts, Tops & Tunics"): a word only one longer level has is mostly a brand's
        ("aaliya tops"). A level that is the product's own title is a name, not a category
        ("ezyprnt rh golf ball size 4.26 cm" says nothing of a kind "size"). A short level the shop made
        ("Flower Vase", "Bath Mats", "Car Sun Shades") names its kind, its last word, even with two
        products, and its last two words are a phrase when titles use them so ("bath mat": not a
        car mat)."""
        products = list(products)
        said = [_words(p.title) for p in products]  # each title read once
        shared = [[level for level in p.category if not _names_product(level, words)]
                  for p, words in zip(products, said)]
        counts = Counter(w for p, kept in zip(products, shared) for w in _kind_words(p, kept))
        levels, alone, short = _read_levels(shared, said)
        derived = {w for p in products for w in _words(p.attributes.get(KIND, ""))}
        made = {key.split()[-1] for key, c in short.items() if sum(c.values()) >= 2}
        vocabulary = {w for w, n in counts.items()
                      if (n >= MIN_PRODUCTS and (w in derived or w in alone or len(levels.get(w, ())) > 1))
                      or (n >= 2 and w in made)}
        pairs = Counter(pair for words in said for pair in set(zip(words, words[1:]))
                        if pair[1] in vocabulary and pair[0] not in _NEVER - SIZE_WORDS)
        # a size word the titles keep before a kind as often as a line's name is a product line
        # ("jumbo bag" in 21 titles); a few "big mug" titles are big mugs, not a kind of their own
        phrases = {pair for pair, n in pairs.items()
                   if n >= (LINE_LEAST if pair[0] in SIZE_WORDS else MIN_PRODUCTS)}
        phrases |= {tuple(key.split()) for key, c in short.items()
                    if " " in key and key.split()[0] not in _NEVER and key.split()[-1] in vocabulary
                    and sum(c.values()) >= 2}
        after = Counter(pair for words in said for pair in set(zip(words, words[1:]))
                        if pair[0] in vocabulary and pair[1] not in vocabulary)
        titles = Counter(w for words in said for w in set(words))
        of_kind: dict[str, list[str]] = {}
        grouped: dict[str, set[int]] = {}  # by category only: a WATCH STRAP title does not make straps watches
        for i, (p, words) in enumerate(zip(products, said)):
            lower = p.title.lower()  # one string per product, shared by its kinds' lists
            kinds = product_kinds(p)
            for w in kinds & vocabulary:
                grouped.setdefault(w, set()).add(i)
            for w in (kinds | set(words)) & vocabulary:
                of_kind.setdefault(w, []).append(lower)
        return cls(vocabulary, phrases, (w for w, n in titles.items() if n >= MIN_PRODUCTS),
                   {key: c.most_common(1)[0][0] for key, c in short.items() if key.split()[-1] in vocabulary},
                   of_kind, alone & vocabulary, grouped, (w for w, n in titles.items() if n >= 2 and w not in _NEVER),
                   (pair for pair, n in after.items() if n >= 2))

    def level_of(self, kind: str) -> str | None:
        """The category level whose products are this kind ("tshirt" → "tshirts"), if the store
        has one: a search can keep to it when words alone do not find the kind."""
        words = kind.split() if kind else []
        return (self.levels.get(kind) or self.levels.get(words[-1])) if words else None

    def described(self, words: Iterable[str]) -> list[str]:
        """Those of ``words`` that the store's titles use, in any form ("animal", "rockets",
        "knits" for KNITTING): what a product could be like, as opposed to talk ("priya", "ugh")."""
        return [w for w in words if singular(w.lower()) in self.title_words or _by_root(w, self.title_roots)]

    def named(self, text: str) -> list[str]:
        """The store's kind words the text names, in its order (hyphens and plurals read loosely:
        "t-shirts" and "tshirt" both name "t-shirt"). In a compound the last word is the thing
        ("flower vase": a vase; "water bottle": a bottle), kept with the word before it when the
        store's titles use the two together ("lunch bag"). A kind word just after "for", "near",
        "on"... says what the thing is for ("a cover for my phone"), not what it is; an occasion
        ("christmas", "birthday") says when."""
        found: list[tuple[int, str]] = []  # (token position, kind)
        tokens, clause = [], []  # each token's clause start, so "for work, washbags?" keeps washbags
        for part in re.split(r"[,.;:!?()]+", text):
            start = len(tokens)
            words = _tokens(part)
            tokens += words
            clause += [start] * len(words)
        skip = -1
        for i, raw in enumerate(tokens):
            if i == skip or _for_something(tokens, max(clause[i], i - 3), i):
                continue  # "a vase for the dining table", "trainers for the gym": what it is for
            closed = singular(raw + tokens[i + 1]) if i + 1 < len(tokens) and clause[i + 1] == clause[i] else ""
            end = i + 1 if closed in self.vocabulary and raw not in ("a", "an") else i  # "chalk board", "t shirt"
            if end + 1 < len(tokens) and tokens[end + 1] in _LOOKS:
                continue  # "union jack style", "dinosaur themed": how it looks, not what it is
            if end > i:
                kind, skip = closed, end
            else:
                forms = {singular(raw.strip("-")), singular(raw.replace("-", ""))}
                known = [w for w in forms if w in self.vocabulary]
                # a word people use for another kind that the titles use too ("tumbler", "earphone",
                # "bunting") is the titles' own word, not the other kind
                other = None if known else self._synonym(forms | {raw})
                titled = sorted(forms & self.heads) if other else []
                kind = known[0] if known else titled[0] if titled else other or self._joined(singular(raw))
                headed = self._headed(kind, tokens, clause, i) if kind in self.vocabulary - OCCASION_WORDS else None
                if headed:
                    kind, skip = headed, i + 1
            if not kind or kind in OCCASION_WORDS:  # "a birthday present": when, not what
                continue
            if kind in PLACE_WORDS and singular(raw) == raw and end == i:
                continue  # "she has a tiny kitchen": the place; "school bags" keeps its phrase below
            previous = singular(tokens[i - 1].strip("-")) if i else ""
            if (previous, kind) in self.phrases:
                kind = f"{previous} {kind}"
            if found and found[-1][0] == i - 1 and kind.split()[-1] != found[-1][1]:
                found.pop()  # "flower vase": "flower" only said what kind of vase
            found.append((end, kind))
        return list(dict.fromkeys(kind for _, kind in found))

    def _headed(self, kind: str, tokens: list[str], clause: list[int], i: int) -> str | None:
        """"Tea cosy", "watering can", "bird feeder": on a store of titles only, a kind word said
        before a thing that is no kind of its own here, the two together in two titles or more, is
        that thing (the last word of a compound is what it is)."""
        if self.levels or i + 1 >= len(tokens) or clause[i + 1] != clause[i]:
            return None  # a categorised store names its compounds in its levels; its titles put looks after things
        if i + 2 < len(tokens) and clause[i + 2] == clause[i] and singular(tokens[i + 2]) in self.vocabulary:
            return None  # "sport digital watch": the thing is the watch
        head = singular(tokens[i + 1].strip("-"))
        if head in self.vocabulary or head not in self.heads or head in _NEVER | _LOOKS | _PURPOSE | _SEEKING:
            return None
        return f"{kind} {head}" if (kind, head) in self.compounds else None

    def narrowest(self, kinds: list[str]) -> list[str]:
        """The kinds without those another of them narrows: "footwear, flats or bellies" asks
        for flats, "a bag, sling bag types" for sling bags. One kind narrows another when it is
        that kind with a word before it, or when nearly all its products are of the other."""
        return [k for k in kinds if not any(self._narrows(other, k) for other in kinds if other != k)]

    def _narrows(self, narrow: str, broad: str) -> bool:
        if narrow.split()[-1] == broad.split()[-1]:
            return len(narrow.split()) > len(broad.split())
        inner = self.grouped.get(narrow.split()[-1], set())
        outer = self.grouped.get(broad.split()[-1], set())
        return bool(inner) and len(outer) > len(inner) and len(inner & outer) >= NARROWS * len(inner)

    def head_kind(self, phrase: str) -> str | None:
        """The thing a product phrase asks for, when the store's titles use it but no category
        or derived kind does ("slippers", "photo album", "kadhai"): its last word, if two titles or
        more have it and it is no colour, size or print."""
        words = [w for w in _words(phrase) if w not in _NEVER]
        head = words[-1] if words else None
        return head if head in self.heads else None

    def in_titles_of(self, kind: str, word: str) -> bool:
        """Whether two or more titles of the kind's products use the word, even inside another
        ("space" in LUNCH BAG SPACEBOY): it can say what they are like. One title is chance
        (FAMILY ALBUM WHITE PICTURE FRAME does not make an album a kind of frame)."""
        words = kind.split() if kind else []
        titles = self.titles.get(words[-1], []) if words else []
        return sum(word in title for title in titles) >= 2

    def _joined(self, word: str) -> str | None:
        """A phrase of the store written as one word ("lunchbox": lunch box). Not any word that
        ends in a kind: "doorbell" is no bell, and "ordering" no ring."""
        for cut in range(3, len(word) - 2):
            if (word[:cut], word[cut:]) in self.phrases:
                return f"{word[:cut]} {word[cut:]}"
        return None

    def _synonym(self, forms: set[str]) -> str | None:
        """The store's own kind for a word people use for it ("trainers": sports shoe)."""
        for form in forms:
            for option in KIND_SYNONYMS.get(form, ()):
                words = [singular(w) for w in option.replace("-", " ").split()] if " " in option else [singular(option)]
                joined = singular(option.replace("-", ""))
                if joined in self.vocabulary:
                    return joined
                if words[-1] in self.vocabulary and (len(words) == 1 or (words[-2], words[-1]) in self.phrases):
                    return " ".join(words)  # "lampshade": a lamp shade, never any shade (car sun shades)
        return None

    def kind_of(self, product: Product) -> str | None:
        """The product's own kind, for "more like this": its derived kind, else the deepest
        category level's kind word that is not its brand's ("belts", not "ligans ny"), else the
        first kind word of its title."""
        derived = [w for w in _words(product.attributes.get(KIND, "")) if w in self.vocabulary]
        if derived:
            return derived[0]
        brand = set(_words(product.brand or ""))
        for level in reversed(product.category):
            found = [w for w in _words(level) if w in self.vocabulary and w not in brand]
            if found:
                return found[-1]
        return next((w for w in _words(product.title) if w in self.vocabulary), None)

    def of_kind(self, product: Product, kinds: Iterable[str]) -> bool:
        """Whether the product is of one of these kinds: by its category, derived kind or title."""
        wanted = [k.split() for k in kinds]
        if not wanted:
            return True
        words = self._own_kind_words(product)
        return any(all(w in words for w in kind) for kind in wanted)

    def _own_kind_words(self, product: Product) -> set[str]:
        """The kind words that say what the product is: its derived kind, its title's words (two
        of them written apart count as one written together: KEY RING is a keyring), and its
        category levels', except a level that groups several kinds ("Bags, Wallets & Belts")
        when a deeper level says which of them it is (a belt there is no bag)."""
        named = _words(product.brand or "")
        brand, title = set(named), _words(product.title)
        if named and title[:len(named)] == named:  # "riot jeans casual women's top": a top of brand Riot Jeans
            title = title[len(named):]
        found = set(_words(product.attributes.get(KIND, ""))) | set(title) | {a + b for a, b in zip(title, title[1:])}
        # a level named after the brand ("aaliya tops") loses the brand's words; a level that only
        # shares a word with it ("jewellery" for Kiara Jewellery) keeps them
        levels = [words - (brand if brand <= words else set()) - _NEVER
                  for words in (set(_words(level)) for level in product.category)]
        for i, words in enumerate(levels):
            groups = len(words & self.alone) >= 2
            if not (groups and any(deeper & self.vocabulary for deeper in levels[i + 1:])):
                found |= words
        return found
