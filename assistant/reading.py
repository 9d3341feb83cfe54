"""What one message names of the store's kinds, read in its conversation.

The same word means different things by where it sits: "owls" after "no" is ruled out, "the
owl one" points at a product of the need (a shown one, or one of the need's kind with that
word), and "boxes" while choosing a lunch bag is a lunch box. ``decide`` reads the result: a
kind left here is a kind the customer asks for.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from assistant.cues import cue
from assistant.query import lexical_words, singulars, stem, without_avoided
from assistant.state import Need
from retrieval.kind_index import KindIndex
from retrieval.product import Product


def read_kinds(index: KindIndex, message: str, need: Need | None,
               shown: Iterable[Product] = (), asked: str | None = None,
               spelled: str | None = None, refining: bool = False) -> tuple[list[str], list[str]]:
    """The kinds the message asks for, and its words the store's titles use. ``asked``: the
    products the parser read a search for ("mug" in "and a mug for the white elephant"): a kind
    there is asked for even when a shown product is of it, and when the store has no such kind,
    the thing its titles call it is the kind ("slippers"), unless titles of the need's kind use
    the word ("obsessed with space" while choosing a lunch bag: LUNCH BAG SPACEBOY). The words
    the titles use are read from ``spelled``, the message with its typos corrected, when given;
    kinds only from what was typed (a corrected word is a description, not a new need). When
    ``refining`` (``asked`` is a refinement's words), a word the need's titles use is a look of it,
    unless the store's categories make it a kind ("shorts" among clothes), and with a kind in hand
    a word that is no kind of the store is a look too ("oversized fit")."""
    shown = list(shown)
    text = without_avoided(message)  # "no dolly girls": a kind ruled out is not one asked for
    if need is not None or shown:
        text = _named_ones_cut(text)  # "the owl one": a product of this need, not a new need
    wanted = set(index.named(asked)) if asked else set()
    if refining and need is not None and need.kind:  # "spaceboy pls" beside lunch bags: a look of them
        wanted = {k for k in wanted if index.level_of(k) or not index.in_titles_of(need.kind, k)}
    named = index.named(text)
    kinds = [k for k in named if k in wanted or not _on_screen(index, k, text, shown)]
    if not named and asked and not (refining and need is not None and need.kind):
        # a refinement's own words are a look of the need ("oversized fit", "transparent wala"),
        # never a thing the titles merely use; only the store's kinds name another need there
        head = index.head_kind(_before_modifier(without_avoided(asked), text))
        liked = cue("likes").search(text)  # "a gift for someone who likes cooking": a pastime, not a kind
        if head and liked and head in singulars(text[liked.end():]):
            head = None
        describes = head and need is not None and need.kind and index.in_titles_of(need.kind, head)
        kinds = [head] if head and head in singulars(text) and not describes else []  # "rockets and space"
    if need is not None and need.kind:
        kinds = [_inherit(index, k, need.kind) for k in kinds]
    return list(dict.fromkeys(kinds)), index.described(lexical_words(spelled or message))


_MODIFIER = {"with", "for", "in", "on", "from", "under", "that", "which", "without", "of"}


def _before_modifier(asked: str, text: str) -> str:
    """The asked words up to the first that a modifier or the end of a sentence follows in the
    message: "headset with mic" is a headset, whose last word a parser's "headset mic" would make
    a mic; "neckties? a subdued pattern" asks for neckties."""
    words, said = asked.lower().split(), text.lower().split()
    for i, word in enumerate(said[:-1]):
        bare = word.strip(",.!?;:")
        if bare in words and (said[i + 1] in _MODIFIER or word.endswith(("?", ".", "!", ";"))):
            return " ".join(words[:words.index(bare) + 1])
    return asked


def _on_screen(index: KindIndex, kind: str, text: str, shown: list[Product]) -> bool:
    """A kind a shown product is or says ("the bag is nice", "full sleeve, plain colour pls"
    beside full-sleeve tops): pointed at, not asked for; unless the message asks for products
    ("do you sell actual trees too?" beside a tree decoration asks for trees)."""
    if any(index.kind_of(p) == kind for p in shown):
        return True
    return not cue("asks_for_products").found(text) and any(index.of_kind(p, [kind]) for p in shown)


def _named_ones_cut(text: str) -> str:
    found = cue("names_one").search(text)
    while found:
        text = text[:found.start()] + " " + text[found.end():]
        found = cue("names_one").search(text)
    return text


def _inherit(index: KindIndex, kind: str, held: str) -> str:
    """"Boxes", said while choosing a lunch bag, is a lunch box when the store's titles say so."""
    words = held.split()
    if " " in kind or len(words) < 2 or kind == words[-1]:
        return kind
    return f"{words[-2]} {kind}" if (words[-2], kind) in index.phrases else kind


def named_words(message: str) -> str | None:
    """The words of "the owl one" in a message, if it names a product that way."""
    found = cue("names_one").search(message)
    return " ".join(lexical_words(found.group(1) or found.group(2))) or None if found else None


def singled_out(message: str, shown: list[Product]) -> str | None:
    """The words by which the message picks out one of several shown products ("silver streak
    denim is sick", "parinaaz wala is nice"): it says a word of that product's title or brand
    that no other shown product has, and no such word of another. Praise words are not names
    ("love these" beside I LOVE LONDON names nothing)."""
    if len(shown) < 2:
        return None
    said = {stem(w): w for w in lexical_words(cue("praise").cut(without_avoided(message)))}
    titled = [{stem(w) for w in lexical_words(f"{p.title} {p.brand or ''}")} for p in shown]
    titles_with = Counter(w for words in titled for w in words)
    picked = [words for words in titled if {w for w in words if titles_with[w] == 1} & said.keys()]
    if len(picked) != 1:
        return None
    return " ".join(word for s, word in said.items() if s in picked[0] and titles_with[s] < len(shown))
