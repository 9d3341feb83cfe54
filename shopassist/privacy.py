"""PII redaction for what is kept: transcripts at rest and log lines.

``redact`` replaces, in this order:

1. email addresses → ``[email]``;
2. IP addresses (IPv4 dotted quads, IPv6) → ``[ip]`` — before phones, so ``192.168.0.1`` is
   never read as a number;
3. IBANs (known country code and that country's exact length; spaced in fours or not, any
   case) → ``[iban]`` — before cards and phones, whose rules would take the digits apart;
4. any run of 13–19 digits, in any grouping (spaces, dots, dashes), that passes the Luhn check
   → ``[card]``, whatever word comes before it ("my order 4111-1111-1111-1111");
   then order / invoice / tracking / reference numbers right after their cue word ("order
   536365", "invoice C536379", "tracking number 1Z999AA10123456784") are set aside and kept
   as they are;
5. in the rest of the text: payment cards (13–19 digits grouped in fours with spaces or dashes,
   4-6-5 / 4-6-4, 16 plain digits, or any Luhn-valid plain 13–19 digits) → ``[card]``;
   phone numbers → ``[phone]`` (international ``+``/``00`` numbers, national numbers with a
   leading 0, US 3-3-4, local 7–8 digit numbers written ``555 1234`` / ``8765-4321``, and any
   7–15 digit number right after a phone cue such as "call me on");
   street addresses → ``[address]``; UK postcodes (any case, spaced or not) → ``[postcode]``.

Everything else stays: support needs prices, quantities, sizes, dates, times, stock codes and
plain order numbers, and they identify no one by themselves.

Every pattern is linear-time: bounded quantifiers, or runs whose pieces cannot overlap, and a
look-behind where a pattern could otherwise be retried from every character of a long run.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import NamedTuple

# --- emails ------------------------------------------------------------------------------
# The look-behind starts a match only at the beginning of a local part; without it a long
# run of word characters followed by "@" is retried from every position (quadratic).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# --- IP addresses ------------------------------------------------------------------------
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
# A colon-joined hex run; ipaddress decides whether it really is IPv6 ("10:30:45" is not).
_IPV6 = re.compile(r"(?<![\w:])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])", re.I)

# --- IBANs -------------------------------------------------------------------------------
# Exact IBAN length per country (SWIFT IBAN registry). Checking the length rather than the
# mod-97 checksum keeps a mistyped IBAN redacted while ordinary codes rarely fit.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
# Country code, check digits, then blocks of four (optionally space-separated) and a short
# tail. The match may run one word past the IBAN; _iban trims it to the country's length.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.I)

# --- cued order / invoice / tracking / reference numbers ------------------------------------
_REF_CUE = (r"order|invoice|inv|tracking|track|ref|reference|receipt|confirmation|booking|"
            r"ticket|consignment|shipment|parcel|rma")
# "order 536365", "order #1234567890", "order no. 123-4567890-1234567", "my order is 536365",
# "tracking number: 1Z999AA10123456784". The reference itself must hold a digit and must not
# run on into more space-separated digits ("order 4111 1111 1111 1111" is a card, not an order).
_CUED_REFERENCE = re.compile(
    rf"\b(?:{_REF_CUE})s?\b"
    r"(?:[ \t]+(?:no\.?|nos\.?|number|num|nr\.?|id|code))?"
    r"(?:[ \t]*(?:is|was|[:#=]))?[ \t]*#?[ \t]*"
    r"(?P<ref>(?=[A-Za-z/-]{0,40}\d)[A-Za-z0-9][A-Za-z0-9/-]{0,39})(?![A-Za-z0-9/-]|[ \t]\d)",
    re.I,
)

# --- payment cards -----------------------------------------------------------------------
_NOT_AFTER_NUMBER = r"(?<![\w.,/+-])"   # not the tail of a longer number, price or date
_NOT_BEFORE_NUMBER = r"(?![\w]|[.,/-]\d)"
# Written as a card: fours joined by one repeated space or dash (16 digits, or 13–19 with a
# short last block), or the Amex / Diners 4-6-5 and 4-6-4 shapes. Redacted even if Luhn fails.
_CARD_GROUPED = re.compile(
    _NOT_AFTER_NUMBER
    + r"(?:\d{4}(?P<sep>[ -])\d{4}(?P=sep)\d{4}(?P=sep)\d{1,4}(?:(?P=sep)\d{1,3})?"
    + r"|\d{4}(?P<amex>[ -])\d{6}(?P=amex)\d{4,5})"
    + _NOT_BEFORE_NUMBER
)
_CARD_PLAIN = re.compile(_NOT_AFTER_NUMBER + r"\d{13,19}" + _NOT_BEFORE_NUMBER)
# Any run of 13–19 digits in any grouping (spaces, dots, dashes, mixed): a card if Luhn says so,
# whatever word stands before it ("my order 4111-1111-1111-1111", "ref 3782.822463.10005").
_DIGITS_ANY_GROUPING = re.compile(_NOT_AFTER_NUMBER + r"\d(?:[ .-]?\d){12,18}" + r"(?![\w]|[ .,/-]?\d)")

# --- phone numbers -----------------------------------------------------------------------
# A run of digit groups joined by single spaces, dots or dashes, e.g. "+1 (415) 555-0123",
# "020 7946 0958", "2 555 1234". Each group's digits are maximal and not glued to letters,
# so the run is read one way only; _phones then picks the phone-shaped stretches out of it.
_DIGIT_GROUP = r"(?:\(\d{1,5}\)|\d{1,15}(?!\w))"
_DIGIT_RUN = re.compile(
    r"(?<![\w.,/#+£$€₹¥-])(?:\+|00(?=\d))?" + _DIGIT_GROUP + r"(?:[ .-]?" + _DIGIT_GROUP + r")*"
)
_RUN_PIECE = re.compile(r"(?P<sep>[ .-]?)(?P<body>(?:\+|00)?\(?\d+\)?)")
# Words that say a number is a phone number: "call me on 07946095", "my number is 5551234".
_PHONE_CUE = re.compile(
    r"(?:\b(?:call|phone|tel|telephone|mobile|mob|cell|cellphone|ring|whatsapp|sms|fax|"
    r"text me|contact|reach me)\b[^\d\n]{0,20}|\bnumber[ \t]*(?:is\b|:)[ \t]*)$",
    re.I,
)
_MOST_GROUPS_IN_A_PHONE = 7  # "+33 1 23 45 67 89" has six
_YEAR = re.compile(r"(?:19|20)\d\d")

# --- addresses and postcodes -------------------------------------------------------------
_STREET = (r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|place|pl|crescent|terrace|"
           r"boulevard|blvd|square|sq|gardens|grove|hill|park|row|walk")
# Words that cannot be part of a street name but often sit between a quantity and a word like
# "way", "park" or "walk": "2 of them by the way", "a 5 minute walk", "10 inch square".
_NOT_A_STREET_NAME = (r"of|by|for|to|in|at|on|with|and|or|my|your|our|their|them|it|is|was|from|"
                      r"per|each|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|miles?|km|"
                      r"inch(?:es)?|cm|mm|metres?|meters?|feet|foot|ft")
_STREET_NAME_WORD = rf"(?!(?:{_NOT_A_STREET_NAME})\b)[A-Za-z'-]+\s+"
_ADDRESS = re.compile(rf"\b\d{{1,5}}[a-z]?,?\s+(?:{_STREET_NAME_WORD}){{1,4}}(?:{_STREET})\b\.?", re.I)
# Only real UK postcode areas, so "PS5 2TB" or "A4 1GB" stay; the inward letters never use
# C, I, K, M, O or V, so "3am", "10kg" and "5km" cannot match either.
_POSTCODE_AREAS = frozenset((
    "AB AL BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT "
    "DY EC EH EN EX FK FY GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY LA LD LE LL "
    "LN LS LU ME MK ML NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM SA SE SG SK SL SM SN SO "
    "SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB WA WC WD WF WN WR WS WV YO ZE B E G L M N S W"
).split())
_POSTCODE = re.compile(r"\b(?P<area>[A-Z]{1,2})\d[A-Z\d]?[ \t]{0,2}\d[ABD-HJLNP-UW-Z]{2}\b", re.I)


def _luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _is_valid_card_number(digits: str) -> bool:
    return digits.isdigit() and 13 <= len(digits) <= 19 and _luhn(digits)


# --- one function per kind ---------------------------------------------------------------

def _redact_emails(text: str) -> str:
    return _EMAIL.sub("[email]", text)


def _ipv4(match: re.Match) -> str:
    octets = match.group(0).split(".")
    return "[ip]" if all(int(o) <= 255 for o in octets) else match.group(0)


def _ipv6(match: re.Match) -> str:
    candidate = match.group(0)
    # "::" and "a::b" (code) hold no digit; "12::30" (a mistyped time) has neither a hex
    # letter nor the three colons of a real address
    if not re.search(r"\d", candidate):
        return candidate
    if candidate.count(":") < 3 and not re.search(r"[a-f]", candidate, re.I):
        return candidate
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return candidate
    return "[ip]"


def _redact_ips(text: str) -> str:
    return _IPV6.sub(_ipv6, _IPV4.sub(_ipv4, text))


def _iban(match: re.Match) -> str:
    text = match.group(0)
    compact = text.replace(" ", "").upper()
    length = _IBAN_LENGTHS.get(compact[:2])
    bban = compact[4:length]
    if length is None or len(compact) < length or sum(c.isdigit() for c in bban) < 6:
        return text
    # Cut the original text after `length` characters that are not spaces; what follows must
    # be a separate word (the regex may have taken one word too many, "... 7034 then").
    seen = 0
    for cut, char in enumerate(text):
        seen += char != " "
        if seen == length:
            rest = text[cut + 1:]
            return "[iban]" + rest if not rest or rest[0] == " " else text
    return text


def _redact_ibans(text: str) -> str:
    return _IBAN.sub(_iban, text)


def _card_plain(match: re.Match) -> str:
    # 16 digits is the common card length: a card even when mistyped; other lengths need Luhn
    digits = match.group(0)
    return "[card]" if len(digits) == 16 or _is_valid_card_number(digits) else digits


def _luhn_run(match: re.Match) -> str:
    return "[card]" if _is_valid_card_number(re.sub(r"\D", "", match.group(0))) else match.group(0)


def _redact_luhn_runs(text: str) -> str:
    return _DIGITS_ANY_GROUPING.sub(_luhn_run, text)


def _redact_cards(text: str) -> str:
    return _CARD_PLAIN.sub(_card_plain, _CARD_GROUPED.sub("[card]", text))


class _Piece(NamedTuple):
    sep: str     # what joins it to the piece before: "", " ", "." or "-"
    body: str    # "+44", "(415)", "0958"
    digits: str


def _is_phone(pieces: list[_Piece], cued: bool) -> bool:
    """Whether these pieces of a digit run, taken together, are written like a phone number.
    ``cued``: they come right after a phone cue word."""
    digits = [p.digits for p in pieces]
    total = sum(map(len, digits))  # at least 7, which every rule needs (_phone_end checks)
    first = pieces[0].body
    if first.startswith(("+", "00")):  # international: up to 15 digits after the prefix (E.164)
        return 8 <= total - (2 if first.startswith("00") else 0) <= 15
    if cued:
        return total <= 15
    if first.lstrip("(").startswith("0"):  # national, trunk prefix 0: "020 7946 0958"
        return 10 <= total <= 11 and all(len(d) >= 2 for d in digits)
    seps = {p.sep for p in pieces[1:]}
    lengths = [len(d) for d in digits]
    if lengths in ([3, 3, 4], [1, 3, 3, 4]) and len(seps) == 1:  # US: "(415) 555-0123"
        area = digits[-3]
        return area[0] in "23456789" and (len(lengths) == 3 or digits[0] == "1")
    if lengths in ([3, 4], [4, 4]) and seps <= {" ", "-"}:  # local: "555 1234", "8765-4321"
        # a local number never starts with 0 or 1; "2010 2011" is two years and
        # "2500-3000" a range of round amounts
        years = all(_YEAR.fullmatch(d) for d in digits)
        round_amounts = all(d.endswith("00") for d in digits)
        return digits[0][0] in "23456789" and not years and not round_amounts
    return False


def _phone_end(pieces: list[_Piece], counts: list[int], i: int, cued: bool) -> int | None:
    """The end of the longest phone-shaped stretch of pieces starting at ``i``, if any. A
    stretch ends only at the end of the run or before a space, so a date like 2011-12-09 or
    an order number like 123-4567890-1234567 is never cut up. ``counts[k]``: digits in
    pieces[:k], to skip stretches too short to be a phone without looking at them."""
    first = pieces[i].body.lstrip("(")
    # only international, national (leading 0) and cued numbers come in more than four groups
    most = _MOST_GROUPS_IN_A_PHONE if cued or first.startswith(("+", "0")) else 4
    last = min(len(pieces), i + most)
    if counts[last] - counts[i] < 7:  # the quick "no" for runs of small numbers
        return None
    for end in range(last, i, -1):
        at_a_space = end == len(pieces) or pieces[end].sep == " "
        if at_a_space and counts[end] - counts[i] >= 7 and _is_phone(pieces[i:end], cued):
            return end
    return None


def _phones(match: re.Match) -> str:
    """Redact the phone-shaped stretches of one digit run, leftmost first. A stretch starts
    only at the start of the run or after a space; a phone cue before the run only counts for
    a stretch at its start."""
    run = match.group(0)
    if sum(map(str.isdigit, run)) < 7:  # too short for any phone rule; the common case
        return run
    pieces = [_Piece(sep, body, body.strip("+()")) for sep, body in _RUN_PIECE.findall(run)]
    counts = [0]
    for piece in pieces:
        counts.append(counts[-1] + len(piece.digits))
    out: list[str] = []
    i = 0
    while i < len(pieces):
        end = None
        if i == 0 or pieces[i].sep == " ":
            end = _phone_end(pieces, counts, i, cued=False)
        if end is None and i == 0:
            before = match.string[max(0, match.start() - 40):match.start()]
            if _PHONE_CUE.search(before):  # looked up only when needed: it is the slow part
                end = _phone_end(pieces, counts, i, cued=True)
        if end is None:
            out.append(pieces[i].sep + pieces[i].body)
            i += 1
        else:
            out.append(pieces[i].sep + "[phone]")
            i = end
    return "".join(out)


def _redact_phones(text: str) -> str:
    return _DIGIT_RUN.sub(_phones, text)


def _redact_addresses(text: str) -> str:
    return _ADDRESS.sub("[address]", text)


def _postcode(match: re.Match) -> str:
    return "[postcode]" if match.group("area").upper() in _POSTCODE_AREAS else match.group(0)


def _redact_postcodes(text: str) -> str:
    return _POSTCODE.sub(_postcode, text)


def _redact_free_text(text: str) -> str:
    """Everything after the set-aside references; cards before phones (a card's digit groups
    would otherwise read as phone numbers)."""
    for step in (_redact_cards, _redact_phones, _redact_addresses, _redact_postcodes):
        text = step(text)
    return text


def redact(text: str) -> str:
    """``text`` with personal data replaced by ``[email]``, ``[ip]``, ``[iban]``, ``[card]``,
    ``[phone]``, ``[address]`` and ``[postcode]``; see the module docstring for the rules."""
    text = _redact_luhn_runs(_redact_ibans(_redact_ips(_redact_emails(text))))
    kept: list[str] = []
    last = 0
    for ref in _CUED_REFERENCE.finditer(text):
        if _is_valid_card_number(ref.group("ref")):
            continue  # a real (Luhn-valid) card number stays personal data, whatever the cue
        kept.append(_redact_free_text(text[last:ref.start("ref")]))
        kept.append(ref.group("ref"))
        last = ref.end("ref")
    kept.append(_redact_free_text(text[last:]))
    return "".join(kept)


class RedactingFilter(logging.Filter):
    """Redacts a record's message (with its arguments merged in) before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def redact_logs(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of ``logger`` (root by default; given a default
    stderr handler first if it has none)."""
    target = logger or logging.getLogger()
    if not target.handlers:
        logging.basicConfig(level=logging.WARNING)
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
