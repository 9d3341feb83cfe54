"""Property-based: any message — empty, 100k characters, control characters, mixed scripts,
emoji, JSON/HTML/SQL fragments — gets an answer (or a clear refusal), never a crash, and the
conversation survives it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopassist.errors import ShopAssistError

pytestmark = pytest.mark.slow
FRAGMENTS = ["", " ", "\x00\x07\x1b[31m", "{\"intent\": \"x\"}", "<b onclick=x>", "' OR 1=1; --", "DROP TABLE events;",
             "😀🛍️", "кружка", "马克杯", "كوب", "\u202e\u200b", "£", "536365", "the 99th one", "compare 1 and 1"]
MESSAGES = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), max_size=6).map(" ".join),
    st.builds(lambda w, f: f"{w} {f}", st.sampled_from(["red mugs under £5", "anything cheaper?", "the second one",
                                                        "where is my order"]), st.sampled_from(FRAGMENTS)),
)


@pytest.fixture(scope="module")
def retail(shop_home, llm_dir, parser):
    """One assistant for the module: hypothesis calls the test many times."""
    from assistant.service import open_assistant
    from shopassist.settings import load_settings
    from tests.conftest import DATA_DIR

    settings = load_settings(overrides={"home": shop_home, "data_dir": DATA_DIR, "llm": llm_dir}, environ={})
    assistant = open_assistant(settings, "online-retail", parser=parser)
    yield assistant
    assistant.close()


def _answered(assistant, session, message):
    try:
        result = assistant.turn(session, "17850", message)
    except ShopAssistError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return session
    assert isinstance(result.reply, str) and result.reply.strip()
    assert assistant.sessions.get(result.session_id) is not None
    return result.session_id


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=st.lists(MESSAGES, min_size=1, max_size=3))
def test_any_message_is_answered(retail, messages):
    session = None
    for message in messages:
        session = _answered(retail, session, message)


@pytest.mark.parametrize("message", ["", "x" * 100_000, "mug " * 30_000, "\x00" * 50, "🛒" * 5000])
def test_extreme_messages(retail, message):
    session = _answered(retail, None, message)
    _answered(retail, session, "red mugs")  # the conversation goes on
