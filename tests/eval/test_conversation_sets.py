"""The hand-written conversation sets parse, name known actions and stores, and the sealed half is
the one whose hash was committed (no replay: that needs the demo stores)."""

import pytest

from eval.conversations import SET_DIR, check_sealed, read_set


@pytest.mark.parametrize("half", ["dev", "sealed", "cart", "fresh", "fresh2", "fresh3", "fresh4", "fresh5"])
def test_each_set_parses_with_unique_ids_and_labelled_turns(half):
    conversations = read_set(SET_DIR / f"{half}.jsonl")
    assert conversations and len({c.id for c in conversations}) == len(conversations)
    for conversation in conversations:
        assert conversation.turns and all(t.user.strip() and t.actions for t in conversation.turns)
        shown = [t for t in conversation.turns if t.relevant]
        assert all(t.relevant.get("any") for t in shown), conversation.id


def test_the_sealed_half_is_the_committed_one():
    check_sealed()
