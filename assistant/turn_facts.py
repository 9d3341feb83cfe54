"""A turn as the insights count it (``assistant.facts``): what was asked and not found, whether
the customer turned down what they were given, what was shown and why."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from assistant.cues import cue
from assistant.facts import CORRECTIONS, ShownCard, TurnFact
from assistant.handlers.base import Act
from assistant.parse.schema import TurnParse
from assistant.query import lexical_words, stems
from assistant.session import Session
from assistant.state import Need
from retrieval.behaviour.explain import reason_kind
from retrieval.kind_index import KindIndex

SEARCHES = ("search", "refine", "more", "recommend", "similar")  # actions that look for products


def turn_fact(session: Session, parse: TurnParse, message: str, act: Act, done: str | None, rule: str | None,
              kinds: KindIndex, stopword: Callable[[str], bool]) -> TurnFact:
    """The turn just taken (its messages already added to ``session``), as the insights count it;
    ``stopword``: whether a word carries no meaning for search (the lexical encoder's list)."""
    need = session.state.need
    gap, why = _gap(act, done, need, kinds, stopword)
    asked = [m for m in session.messages if m.role == "customer"]
    before = asked[-2] if len(asked) > 1 else None
    fact = TurnFact(intent=parse.intent, action=done, rule=rule, by_rules=parse.by == "rules",
                    kind=need.kind if need else None, gap=gap, gap_why=why, handoff=done == "handoff",
                    follows=before.intent if before else None,
                    rephrased=bool(before is not None and before.gap and before.gap in (gap, need and need.kind)),
                    after_miss=before is not None and bool(before.gap or before.rule in CORRECTIONS),
                    correction=rule in CORRECTIONS or bool(before is not None and before.action in SEARCHES
                                                           and cue("no").found(message)),
                    shown=tuple(ShownCard(p.id, reason_kind(r)) for p, r in act.cards()) if act.show else (),
                    example=None)
    if gap or fact.correction or fact.by_rules or fact.handoff:  # the panels that quote the customer
        fact = replace(fact, example=message)
    if asked:
        asked[-1].gap = gap  # the next turn can tell a request asked again
    return fact


def _gap(act: Act, done: str | None, need: Need | None, kinds: KindIndex,
         stopword: Callable[[str], bool]) -> tuple[str | None, str | None]:
    if act.gap:
        return act.gap, "not_sold"
    if done not in SEARCHES or need is None or not (need.kind or need.lexical):
        return None, None
    if not act.products:
        return need.kind or need.lexical, "empty"
    if not act.show:
        return None, None
    if need.kinds and not any(kinds.of_kind(p, need.kinds) for p in act.products):
        return need.kind, "off_kind"
    titles = set().union(*(stems(p.title) for p in act.products))
    words = [w for w in lexical_words(need.lexical or "") if w.isalpha() and not stopword(w)]
    kind = stems(need.kind or "")
    if words and not stems(words[-1]) & (titles | kind):  # "coffee machine" among coffee mugs: no machine
        return " ".join(words), "weak"
    at = next((i for i, w in enumerate(words) if stems(w) & kind), None)
    detail = words[at - 1] if at else None
    if need.kinds and detail and not stems(detail) & titles and detail not in " ".join(need.wanted.values()).split():
        return f"{detail} {need.kind}", "lacks_detail"  # "running shoes" in a shop of slipper shoes
    return None, None
