"""Every cue's examples: the sentences it must match and the near ones it must leave alone.
Fast: no model, no store."""

from __future__ import annotations

import pytest

from assistant.cues import CUES, cue

MATCHES = [(c.name, text) for c in CUES for text in c.matches]
MISSES = [(c.name, text) for c in CUES for text in c.misses]


def test_every_cue_has_examples_both_ways():
    for c in CUES:
        assert len(c.matches) >= 3 and len(c.misses) >= 3, c.name
        assert c.why, c.name


@pytest.mark.parametrize("name,text", MATCHES)
def test_cue_matches(name, text):
    assert cue(name).found(text)


@pytest.mark.parametrize("name,text", MISSES)
def test_cue_leaves_alone(name, text):
    assert not cue(name).found(text)
