"""PII is redacted from what is kept: transcripts at rest and log lines."""

from __future__ import annotations

import logging

import pytest

from assistant.session import SessionStore
from shopassist.privacy import RedactingFilter, redact


@pytest.mark.parametrize("text, expected", [
    ("mail me at jo.smith+x@example.co.uk please", "mail me at [email] please"),
    ("call 07700 900123 or +44 20 7946 0958", "call [phone] or [phone]"),
    ("card 4111 1111 1111 1111 exp 12/27", "card [card] exp 12/27"),
    ("card 4111-1111-1111-1111", "card [card]"),
    ("I live at 221B Baker Street, London NW1 6XE", "I live at [address], London [postcode]"),
    ("ship it to 10 Downing St. tomorrow", "ship it to [address] tomorrow"),
])
def test_personal_data_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "where is my order 536365", "refund for invoice C536379", "3 x £12.50 mugs, 1,234.56 in total",
    "item 85123A costs 2.55", "do you have size 10 in red?", "a 32 inch tv under 20000",
])
def test_shop_facts_are_kept(text):
    assert redact(text) == text


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
