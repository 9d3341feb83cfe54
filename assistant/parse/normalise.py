"""Tagged spans → typed slots: numbers, currencies, ordinals and price directions.

The tagger only marks where things are; everything that has one right reading (``£1.5k``
is 1500 GBP, "the 2nd one" is position 1) is decided here, in code, the same way for the
training labels and for predictions.
"""

from __future__ import annotations

import re

from assistant.parse.schema import ATTRIBUTE_SPANS, Reference, Slots, Span

_CURRENCIES = (
    (re.compile(r"£|\bpounds?\b|\bquid\b|\bgbp\b", re.I), "GBP"),
    (re.compile(r"₹|\brs\.?|\brupees?\b|\binr\b", re.I), "INR"),
    (re.compile(r"\$|\bdollars?\b|\busd\b|\bbucks\b", re.I), "USD"),
    (re.compile(r"€|\beuros?\b|\beur\b", re.I), "EUR"),
)
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?|\.\d+)\s*(k\b|thousand|grand|hundred|lakhs?|lacs?)?", re.I)
_MULTIPLIERS = {"k": 1000, "thousand": 1000, "grand": 1000, "hundred": 100, "lakh": 100_000, "lakhs": 100_000,
                "lac": 100_000, "lacs": 100_000}
WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "pair": 2, "couple": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "dozen": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "fiver": 5, "tenner": 10, "score": 20, "pony": 25,
}
_ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
    "fifth": 4, "5th": 4, "sixth": 5, "6th": 5, "seventh": 6, "7th": 6, "eighth": 7, "8th": 7,
    "ninth": 8, "9th": 8, "tenth": 9, "10th": 9, "last": -1, "final": -1, "top": 0,
    "penultimate": -2,
}
# Hindi, as Indian shoppers type it ("pehla wala", "doosri wali", "aakhri"); the cue that finds a
# place said in a message reads the same words (``cues.placed``)
HINDI_ORDINALS = {
    "pehla": 0, "pehli": 0, "pehle": 0, "pahla": 0, "pahli": 0, "doosra": 1, "dusra": 1, "doosri": 1, "dusri": 1,
    "doosre": 1, "dusre": 1, "teesra": 2, "tisra": 2, "teesri": 2, "tisri": 2, "teesre": 2, "tisre": 2,
    "aakhri": -1, "akhri": -1,
}
_ORDINALS.update(HINDI_ORDINALS)
_CHEAPEST = re.compile(r"cheap|least expensive|lowest|budget|inexpensive|affordable|sast[aie]", re.I)
_PRICIEST = re.compile(r"expensive|priciest|pricey|dearest|highest|premium|fanc|meh?nga|mehe?ng[ae]", re.I)
# a pointer, also inside a contraction ("that'll do nicely": the one in view)
_CURRENT = re.compile(r"^(it|this|that|this one|that one|the one|same|them|these|those|this item|that item|"
                      r"(?:that|it|this)(?:'?ll|'?s|'?d))$", re.I)
_HIGHER = re.compile(r"more expensive|pricier|costlier|higher|premium|better|fancier|dearer|upmarket|luxur|more money", re.I)
_ARTICLES = re.compile(r"^(the|a|an|some|my|any)\s+", re.I)


def parse_amount(text: str) -> float | None:
    """``£1,499.99`` → 1499.99; ``2k`` → 2000; ``twenty quid`` → 20."""
    match = _NUMBER.search(text)
    if match:
        value = float(match.group(1).replace(",", ""))
        return value * _MULTIPLIERS[match.group(2).lower()] if match.group(2) else value
    return _words_amount(text)


_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000}


def _words_amount(text: str) -> float | None:
    """"a tenner" → 10, "fifteen hundred" → 1500, "two grand" → 2000."""
    total, current, seen = 0.0, 0.0, False
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _SCALES:
            current = (current or 1) * _SCALES[word]
            if _SCALES[word] >= 1000:
                total, current = total + current, 0.0
            seen = True
        elif word in WORD_NUMBERS:
            value = WORD_NUMBERS[word]
            current = value if word in ("a", "an") or not seen or current >= 100 and value >= 100 else current + value
            if word not in ("a", "an"):
                seen = True
            elif not seen:
                current = 1
    amount = total + current
    return float(amount) if seen or amount else None


def currency_of(text: str) -> str | None:
    for pattern, code in _CURRENCIES:
        if pattern.search(text):
            return code
    return None


def parse_quantity(text: str) -> int | None:
    value = parse_amount(text)
    return int(value) if value is not None and 1 <= value <= 10_000 else None


def parse_reference(text: str) -> Reference:
    clean = " ".join(text.lower().replace("#", " #").strip(" ,.;:!?\"'").split())
    for word in re.findall(r"#?\w+", clean):
        if word in _ORDINALS:
            return Reference(kind="position", index=_ORDINALS[word], text=text)
        if word.startswith("#") and word[1:].isdigit():
            return Reference(kind="position", index=int(word[1:]) - 1, text=text)
    number = re.search(r"(?:number|no\.?|option|item|product)\s*(\d+)", clean)
    if number:
        return Reference(kind="position", index=int(number.group(1)) - 1, text=text)
    if _PRICIEST.search(clean) and not re.search(r"less|least|\bkam\b", clean):
        return Reference(kind="priciest", text=text)
    if _CHEAPEST.search(clean):
        return Reference(kind="cheapest", text=text)
    if _CURRENT.match(_ARTICLES.sub("", clean)) or _CURRENT.match(clean):
        return Reference(kind="current", text=text)
    return Reference(kind="name", text=_ARTICLES.sub("", clean).removesuffix(" one").strip())


def clean_text(text: str) -> str:
    return _ARTICLES.sub("", " ".join(text.strip(" ,.;:!?\"'").split())).lower()


def clean_id(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z\-]", "", text).upper()


def _set_prices(slots: Slots, kind: str, amount: float) -> None:
    if kind == "min_price":
        slots.min_price = amount
    elif kind == "max_price":
        slots.max_price = amount
    else:  # "around £20": a band either side
        slots.min_price, slots.max_price = round(amount * 0.75, 2), round(amount * 1.25, 2)


# English price cues: which bound an amount sets, read from the words around it. The tagger
# finds the amount; its direction is plain grammar, so code decides it the same way for any
# phrasing ("cheaper than £5", "£5 or less", "nothing above £5", "roughly £5").
_UPPER_BEFORE = re.compile(r"(?:not above|not paying more than|not more than|under|below|beneath|less than|cheaper than|lower than|at most|up to|upto|max|"
                           r"maximum|within|no more than|not more than|not over|nothing (?:over|above|more than)|"
                           r"no (?:higher|dearer|pricier) than|not exceeding|budget(?: of| is)?|spend(?:ing)?|"
                           r"for less than|under about|<=?)\s*$")
_LOWER_BEFORE = re.compile(r"(?:over|above|more than|at least|min|minimum|higher than|pricier than|dearer than|"
                           r"more expensive than|starting at|starting from|upwards of|no less than|not less than|"
                           r"costing over|>=?)\s*$")
_AROUND_BEFORE = re.compile(r"(?:around|about|approximately|approx\.?|roughly|circa|near|nearly|close to|"
                            r"in the region of|give or take|something like|~)\s*$")
_UPPER_AFTER = re.compile(r"^\s*(?:or less|or under|or below|or cheaper|max|maximum|tops|at most|at the most|"
                          r"se kam|se neeche|tak|ke andar|ke neeche)\b")  # Hinglish: "₹500 se kam" is under ₹500
_LOWER_AFTER = re.compile(r"^\s*(?:or more|or above|or over|plus|\+|and up|and above|upwards|at least|minimum|"
                          r"se zyada|se upar|se jyada)\b")
_AROUND_AFTER = re.compile(r"^\s*(?:-?ish|or so|give or take|roughly|approx)\b")
_POLITE_TAIL = re.compile(r"(?:\s+(?:please|pls|plz|thanks|thank you|thx|ty|cheers|if possible))+$", re.I)
_GENDER_HEAD = re.compile(r"^((?:women|woman|ladies|men|man|mens|boys|girls|kids|children|baby|babies|unisex)"
                          r"(?:'s|s')?)\s+(?=\S)", re.I)


def price_direction(message: str, span: Span) -> str:
    """``min_price`` / ``max_price`` / ``price`` from the cue words next to a tagged amount;
    the tagger's own choice when there is none (or the span is part of a range)."""
    before = message[max(0, span.start - 40):span.start].lower()
    after = message[span.end:span.end + 20].lower()
    if re.search(r"\b(?:between|from)\b[^,;]*$", before) or re.match(r"^\s*(?:-|to|and)\s*[£$€₹\d]", after):
        return span.type  # "from £3 to £7", "between 2 and 5": the tagger orders the pair
    if re.match(r"^\s*(?:\+|plus\b|or (?:more|above|over)\b)", after):
        return "min_price"  # "budget 2000 plus"
    clause = re.split(r"[,;.!?]", before)[-1]  # "no budget, around 3000 is fine": another clause
    if re.search(r"\b(?:budget|spend(?:ing)?|afford)\b", clause) and not _LOWER_BEFORE.search(clause) \
            and not re.search(r"\b(?:no|flexible|not an issue|plus|or more)\b", clause) \
            and not _LOWER_AFTER.match(after) and not re.match(r"^\s*(?:\+|plus|or (?:more|above))", after):
        return "max_price"  # "budget around 1500": what they can spend, not a band around it
    for pattern, kind in ((_AROUND_BEFORE, "price"), (_UPPER_BEFORE, "max_price"), (_LOWER_BEFORE, "min_price")):
        if pattern.search(before):
            return kind
    for pattern, kind in ((_AROUND_AFTER, "price"), (_UPPER_AFTER, "max_price"), (_LOWER_AFTER, "min_price")):
        if pattern.match(after):
            return kind
    return span.type


def tidy_spans(message: str, spans: list[Span]) -> list[Span]:
    """Predicted spans made consistent: price direction from cues, politeness words and a
    leading gender word moved out of product-type spans."""
    out: list[Span] = []
    for span in spans:
        if span.type in ("min_price", "max_price", "price"):
            span = span.model_copy(update={"type": price_direction(message, span)})
        elif span.type in ("category", "query", "brand"):
            text = _POLITE_TAIL.sub("", span.text)
            if not text.strip():
                continue
            head = _GENDER_HEAD.match(text) if span.type == "category" else None
            if head:
                out.append(Span(start=span.start, end=span.start + len(head.group(1)), type="gender",
                                text=head.group(1)))
                text = text[head.end():]
            start = span.start + span.text.index(text)
            span = Span(start=start, end=start + len(text), type=span.type, text=text)
        out.append(span)
    return out


def spans_to_slots(spans: list[Span]) -> Slots:
    """Builds slots from spans; later spans of a single-valued type win."""
    slots = Slots()
    texts: list[str] = []
    for span in spans:
        text = span.text.strip()
        kind = span.type
        if not text:
            continue
        if kind in ("min_price", "max_price", "price"):
            amount = parse_amount(text)
            if amount is not None:
                _set_prices(slots, kind, amount)
            slots.currency = currency_of(text) or slots.currency
        elif kind == "refund_amount":
            slots.refund_amount = parse_amount(text)
            slots.currency = currency_of(text) or slots.currency
        elif kind == "quantity":
            slots.quantity = parse_quantity(text)
        elif kind == "reference" and not _ARTICLES.fullmatch(text.strip(" ,.;:!?\"'") + " "):
            slots.references.append(parse_reference(text))  # a bare "the" the tagger marked points at nothing
        elif kind == "price_change":
            slots.price_change = "higher" if _HIGHER.search(text) else "lower"
        elif kind in ATTRIBUTE_SPANS:
            slots.attributes[kind] = clean_text(text)
        elif kind in ("order_id", "invoice_id"):
            setattr(slots, kind, clean_id(text) or None)
        elif kind in ("category", "brand", "account_type", "person_name", "delivery_city", "delivery_country"):
            value = clean_text(text) if kind != "person_name" else text.strip(" ,.;:!?")
            setattr(slots, kind, value or None)
        if kind in ("query", "category", "brand", *ATTRIBUTE_SPANS):
            texts.append(clean_text(text))
    slots.query = " ".join(t for t in texts if t) or None
    return slots


def slot_pairs(slots: Slots) -> set[tuple[str, str]]:
    """Slots as comparable (name, value) pairs for precision/recall; numbers are rounded."""
    pairs: set[tuple[str, str]] = set()
    for name, value in slots.compact().items():
        if name == "query":
            continue  # derived from the other spans, not tagged on its own
        if name == "attributes":
            pairs |= {(f"attr:{k}", v) for k, v in value.items()}
        elif name == "references":
            pairs |= {("reference", f"{r['kind']}:{r.get('index')}:{r.get('text', '') if r['kind'] == 'name' else ''}")
                      for r in value}
        elif isinstance(value, float):
            pairs.add((name, f"{value:.2f}"))
        else:
            pairs.add((name, str(value)))
    return pairs
