"""PII is redacted from what is kept: transcripts at rest and log lines."""

from __future__ import annotations

import logging
import time

import pytest

from assistant.session import SessionStore
from shopassist.privacy import RedactingFilter, redact, redact_logs

# (text, expected): personal data is replaced by its kind.
REDACTED = [
    # emails
    ("mail me at jo.smith+x@example.co.uk please", "mail me at [email] please"),
    ("turn failed for bob@example.org", "turn failed for [email]"),
    # IBANs: spaced, unspaced, lower case; before card/phone rules can take them apart
    ("pay to GB82 WEST 1234 5698 7654 32 today", "pay to [iban] today"),
    ("iban GB82WEST12345698765432", "iban [iban]"),
    ("refund to DE89370400440532013000 please", "refund to [iban] please"),
    ("my iban is gb82 west 1234 5698 7654 32", "my iban is [iban]"),
    ("de89370400440532013000", "[iban]"),
    ("BE68 5390 0754 7034 then", "[iban] then"),  # match trimmed to the country's length
    ("ref DE89370400440532013000", "ref [iban]"),  # an IBAN is not an order reference
    # phones: local 7-8 digits written as a phone number
    ("ring 555 1234 after six", "ring [phone] after six"),
    ("my landline is 555-1234", "my landline is [phone]"),
    ("8765 4321", "[phone]"),
    ("buy 2 then call 555 1234", "buy 2 then call [phone]"),
    # phones: bare digits after a phone cue
    ("call me on 07946095", "call me on [phone]"),
    ("my number is 5551234", "my number is [phone]"),
    ("whatsapp: 94561234 anytime", "whatsapp: [phone] anytime"),
    ("text me 0794 6095", "text me [phone]"),
    ("tel:5551234", "tel:[phone]"),
    # phones: national and international
    ("call 07700 900123 or +44 20 7946 0958", "call [phone] or [phone]"),
    ("07700900123", "[phone]"),
    ("office (020) 7946 0958", "office [phone]"),
    ("US office +1 (415) 555-0123", "US office [phone]"),
    ("0044 20 7946 0958", "[phone]"),
    ("+91 98765 43210", "[phone]"),
    ("+33 1 23 45 67 89", "[phone]"),
    ("+447700900123", "[phone]"),
    ("415-555-0123 or 415.555.0123", "[phone] or [phone]"),
    ("(555 1234)", "([phone])"),
    ("tel: +44 (0)20 7946 0958", "tel: [phone]"),
    ("2 555 1234", "2 [phone]"),  # a quantity before the number does not hide it
    ("07700 900123 12 mugs", "[phone] 12 mugs"),  # nor one after it
    ("MOBILE: 07946095", "MOBILE: [phone]"),
    ("order 07700 900123 never arrived", "order [phone] never arrived"),  # spaced: no reference
    # cards: Luhn-valid or written as a card
    ("card 4111 1111 1111 1111 exp 12/27", "card [card] exp 12/27"),
    ("card 4111-1111-1111-1111", "card [card]"),
    ("card 4111 1111 1111 1112", "card [card]"),  # Luhn fails, still a card
    ("4111111111111112", "[card]"),  # 16 plain digits
    ("amex 3782 822463 10005", "amex [card]"),
    ("4222222222222", "[card]"),  # Luhn-valid 13 digits
    ("pay for order 4111111111111111", "pay for order [card]"),  # a cue does not shield a card
    ("order 4111 1111 1111 1111", "order [card]"),
    # IP addresses are personal data, and not phone numbers
    ("request from 192.168.0.1 failed", "request from [ip] failed"),
    ("10.0.0.254", "[ip]"),
    ("client 2001:db8::8a2e:370:7334 timed out", "client [ip] timed out"),
    # street addresses and UK postcodes, any case, spaced or not
    ("I live at 221B Baker Street, London NW1 6XE", "I live at [address], London [postcode]"),
    ("ship it to 10 Downing St. tomorrow", "ship it to [address] tomorrow"),
    ("deliver to 12 high street", "deliver to [address]"),
    ("postcode sw1a 1aa", "postcode [postcode]"),
    ("SW1A1AA", "[postcode]"),
    ("m1 1ae please", "[postcode] please"),
    ("ec1a1bb", "[postcode]"),
    ("Flat 2, 10 Downing Street, London SW1A 2AA", "Flat 2, [address], London [postcode]"),
    ("SW1A  1AA", "[postcode]"),
    ("ip fe80::1 dropped", "ip [ip] dropped"),
    ("EC1A 1BB", "[postcode]"),
]

# Text that identifies no one and must come back unchanged.
KEPT = [
    # cued order / invoice / tracking / reference numbers, long ones included
    "where is my order 536365",
    "refund for invoice C536379",
    "order #1234567890",
    "order no. 123-4567890-1234567",
    "tracking number 1Z999AA10123456784",
    "ref 20240115001",
    "my order is 536365",
    "order 0207946095 has not arrived",  # would read as a phone number without the cue
    "invoice 555-1234",
    "order 4111111111111112 never came",  # Luhn-invalid: an order number, not a card
    "orders 536365 and 536366",
    "tracking: JD014600003828412345",
    # plain numbers, stock codes, prices, quantities
    "536365",
    "5361234",
    "item 85123A costs 2.55",
    "3 x £12.50 mugs, 1,234.56 in total",
    "£1,299.99",
    "₹2,499 or $45",
    "1299.00",
    "qty 1 1 1 1 1 1 1 1 1",
    "100 mugs and 1000 plates",
    "a 32 inch tv under 20000",
    # dates, times, years, sizes
    "delivered 2011-12-09 at 10:30",
    "invoice date 09/12/2011",
    "09.12.2011",
    "10:30:45",
    "sales in 2010 2011 were up",
    "do you have size 10 in red?",
    "size 42",
    "10x20 cm",
    # words that look like street or postcode endings
    "2 of them by the way",
    "a 5 minute walk",
    "PS5 2TB bundle",
    "meet at 3am or 5pm",
    "pack of 10 4kg",
    "version 1.2.3",
    "ratio 16:9",
    "C++ a::b",
    "12::30",
    "budget 2500-3000 rupees",
    "I bought 3 mugs at the park",
    "a 10 minute drive",
    "1Z999AA10123456784",
    "JD014600003828412345",
    "1234567890123",  # 13 digits, Luhn-invalid, not written as a card
    "192.168.0.256",  # not an IP address (and not a phone number either)
    "123-4567890-1234567",
]


@pytest.mark.parametrize("text, expected", REDACTED)
def test_personal_data_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_shop_facts_are_kept(text):
    assert redact(text) == text


def _seconds(text: str) -> float:
    start = time.perf_counter()
    redact(text)
    return time.perf_counter() - start


@pytest.mark.parametrize("head, unit, tail", [
    ("", "1 ", ""), ("", "a", "@"),  # the two the brief names
    ("", "1", ""), ("+", "1 ", ""), ("", "12 ", ""), ("a@", "b", ""), ("", "order ", ""), ("call ", "1 ", ""),
    ("", "1 a ", ""), ("", "0", "."), ("", "a:", ""),
])
def test_redaction_is_linear_time(head, unit, tail):
    """4x the text may take about 4x the time, not 16x (quadratic): a ratio in one run, so a
    busy machine slows both sides alike. 100,000 characters at most, within seconds."""
    n = 25_000 // len(unit)
    small = min(_seconds(head + unit * n + tail) for _ in range(3))
    large = min(_seconds(head + unit * 4 * n + tail) for _ in range(3))
    assert large < 10 * small + 0.05, (small, large)  # quadratic: ~16x


def test_transcripts_are_stored_redacted_but_the_live_turn_keeps_the_text(tmp_path):
    store = SessionStore(tmp_path / "sessions.sqlite")
    session = store.new("17850")
    session.add("customer", "my email is ann@example.com and my order is 536365")
    session.handoff_reason = "call me on 07700 900123"
    store.save(session)
    assert "ann@example.com" in session.messages[0].text
    kept = store.get(session.id)
    assert kept.messages[0].text == "my email is [email] and my order is 536365"
    assert kept.handoff_reason == "call me on [phone]"
    store.close()
    assert b"ann@example.com" not in b"".join(p.read_bytes() for p in tmp_path.glob("sessions.sqlite*"))


def test_log_records_are_redacted():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "turn failed for %s", ("bob@example.org",), None)
    assert RedactingFilter().filter(record) and record.getMessage() == "turn failed for [email]"


def test_redact_logs_filters_every_handler_once():
    logger = logging.getLogger("shopassist.test_privacy")
    handler = logging.Handler()
    logger.addHandler(handler)
    try:
        redact_logs(logger)
        redact_logs(logger)
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "from %s call %s",
                                   ("10.0.0.1", "555 1234"), None)
        assert handler.filter(record) and record.getMessage() == "from [ip] call [phone]"
    finally:
        logger.removeHandler(handler)


# A card number is masked by the Luhn check on its digits, in any grouping and after any word
# (issue: "my order 4111-1111-1111-1111" used to be kept as an order number).
_CARDS = {"visa": "4111111111111111", "mastercard": "5555555555554444", "amex": "378282246310005"}
_GROUPINGS = {
    "dashes": lambda d: "-".join([d[:4], d[4:10], d[10:]]) if len(d) == 15 else "-".join(d[i:i + 4] for i in range(0, 16, 4)),
    "spaces": lambda d: " ".join([d[:4], d[4:10], d[10:]]) if len(d) == 15 else " ".join(d[i:i + 4] for i in range(0, 16, 4)),
    "dots": lambda d: ".".join([d[:4], d[4:10], d[10:]]) if len(d) == 15 else ".".join(d[i:i + 4] for i in range(0, 16, 4)),
    "plain": lambda d: d,
}


@pytest.mark.parametrize("cue", ["order", "my order", "ref", "invoice", "paid with"])
@pytest.mark.parametrize("grouping", sorted(_GROUPINGS))
@pytest.mark.parametrize("brand", sorted(_CARDS))
def test_a_luhn_valid_card_is_masked_in_any_grouping_after_any_word(cue, grouping, brand):
    written = _GROUPINGS[grouping](_CARDS[brand])
    out = redact(f"{cue} {written} please")
    assert out == f"{cue} [card] please"


@pytest.mark.parametrize("text", ["order 536365", "invoice C536379", "order no. 123-4567890-1234567",
                                  "ref 581234 and 581235", "tracking number 1Z999AA10123456784"])
def test_order_numbers_that_are_not_cards_are_kept(text):
    assert redact(text) == text
