"""``DialogueState``: what a conversation is about, in one object kept in the session.

* the **need**: the kind of thing being shopped for and what refines it (wanted and unwanted
  words, who it is for, size, budget, occasion, brand), with the search words of the request
  that started it;
* what is **shown** (product ids in order, so "the second one" resolves) and the **page** of
  the need's results the customer has reached ("any more?");
* the **focus** ("it"), and the assistant's **pending** offer ("shall I add …?") or question
  ("which kind?"), which the next turn may answer;
* the **last action** the assistant took.

A turn that names no product kind never replaces the need; ``decide`` reads this object, the
handlers write it, the agent console shows it and ``chat --json`` prints it as ``state``.
"""

from __future__ import annotations

import re

from typing import Literal

from pydantic import BaseModel, Field


class Need(BaseModel):
    """What the customer is shopping for now."""

    kind: str | None = None  # the kind in the customer's words ("lunch box", "trainers")
    kinds: list[str] = Field(default_factory=list)  # the store's kinds it matched (category level or derived kind)
    query: str = ""  # the request's words, for the meaning side of a search
    lexical: str | None = None  # its product words, for the word-matching side
    wanted: dict[str, str] = Field(default_factory=dict)  # colour / material / size / gender
    unwanted: list[str] = Field(default_factory=list)  # "not plastic", "nothing too girly"
    for_whom: str | None = None
    occasion: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    currency: str | None = None
    brand: str | None = None  # as the customer named it
    matched_brand: str | None = None  # the catalogue's brand a search matched it to (a filter from then on)
    category: str | None = None  # the category level a search resolved, kept by refinements
    gift: bool = False


class Pending(BaseModel):
    """What the assistant asked and is waiting on."""

    kind: Literal["offer_add", "which_kind", "interests"]  # interests: "what is she into?" after gift ideas
    product_id: str | None = None
    quantity: int = 1
    options: list[str] = Field(default_factory=list)
    kept: bool = False  # already kept open across one question about the offered product


class DialogueState(BaseModel):
    need: Need | None = None
    shown: list[str] = Field(default_factory=list)
    page: int = 0
    seen: list[str] = Field(default_factory=list)  # every product shown for this need, for paging on
    focus: str | None = None
    pending: Pending | None = None
    last_action: str | None = None

    def render(self) -> str:
        """The short rendering the parser reads before the message."""
        # the parser was trained on offers and which-kind questions; a question about the
        # person's interests is read by the decision table alone
        asked = self.pending.kind if self.pending and self.pending.kind != "interests" else None
        return render_context(self.need.kind if self.need else None, bool(self.shown), asked, self.last_action)

    def to_json(self) -> dict:
        return self.model_dump(mode="json", exclude_defaults=True)


def render_context(kind: str | None, shown: bool, pending: str | None, last: str | None) -> str:
    """One line the turn parser reads before a message (training builds the same line)."""
    return (f"for: {kind or '-'}; results on screen: {'yes' if shown else 'no'}; "
            f"asked: {pending or '-'}; last: {last or '-'}")


_LINE = re.compile(r"for: (?P<kind>.*?); results on screen: (?P<shown>yes|no); asked: (?P<asked>.*?); "
                   r"last: (?P<last>.*)")


def compact_context(line: str) -> str:
    """The same state in about half the tokens ("lunch bag|yes|-|search"), for adapters trained
    on it: the parse is most of a turn's cost, and its cost grows with the tokens it reads."""
    found = _LINE.fullmatch(line.strip())
    return "|".join(found.group("kind", "shown", "asked", "last")) if found else line


def shows_results(context: bool | str) -> bool:
    """Whether a parser context (the flag, or a rendered state line) says results are shown."""
    return context if isinstance(context, bool) else "results on screen: yes" in context
