"""Signed customer ids: with a secret, only ids the shop signed reach the engine."""

from __future__ import annotations

from ui.identity import Identity, sign, verify
from ui.widget import WidgetBackend


def test_sign_and_verify():
    token = sign("17850", "s3cret")
    assert verify(token, "s3cret") == "17850"
    assert verify(token, "other") is None
    assert verify("17850", "s3cret") is None
    assert verify(token.replace("17850", "13047"), "s3cret") is None  # someone else's number, same signature
    assert verify("a.b.c" + token[-1], "s3cret") is None


class RecordingAssistant:
    """Stands in for the engine to see which customer id the widget passes on."""

    def __init__(self):
        self.users = []

    def stream_turn(self, session, user, message, source="widget"):
        self.users.append(user)
        yield "ok"


def test_the_widget_serves_forged_ids_as_guests():
    engine = RecordingAssistant()
    backend = WidgetBackend(engine, Identity("s3cret"))
    for claimed in (sign("17850", "s3cret"), "17850", sign("17850", "wrong"), ""):
        list(backend.stream(None, claimed, "hello"))
    assert engine.users == ["17850", None, None, None]


def test_without_a_secret_the_id_is_trusted():
    engine = RecordingAssistant()
    list(WidgetBackend(engine).stream(None, " 17850 ", "hello"))
    assert engine.users == ["17850"]


def test_a_token_whose_expiry_is_not_ascii_digits_is_refused_not_an_error():
    from ui.identity import sign, verify

    customer, expires, digest = sign("17850", "k" * 40).split(".")
    assert verify(f"{customer}.{expires}\u00b2.{digest}", "k" * 40) is None  # "²".isdigit(), int("²") fails
    assert verify(f"{customer}.\u0661\u0662.{digest}", "k" * 40) is None  # Arabic-Indic digits
