"""``decide(state, parse, message, kinds) -> Action``: one ordered table of named rules.

The parser says what the message means; this table says what the assistant does with it,
given the conversation (``DialogueState``). The first rule that answers wins, and its name
travels with the turn (``TurnResult.rule``, ``chat --json``), so every behaviour can be traced
to one line here. The agent console's suggestions use the same decision.

The principles the order enforces:

* a turn that names no product kind never replaces the need; attributes, who it is for and
  sizes refine it; small talk never searches; "more" pages on within the need;
* the basket changes only on an explicit request, or a yes to an explicit offer; an offer to
  add follows a request to buy or praise of a shown product, never a question about
  something else; a size, colour or quantity question is never a request to buy;
* questions about deals are answered from the store's policy, never by searching titles.

``kinds``: the store's product kinds the message names (``retrieval.kind_index``), found by
the engine before deciding, so this module stays pure: no model, no store, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from rapidfuzz.distance import DamerauLevenshtein

from assistant.cues import POINTING, clauses, cue
from assistant.parse.normalise import WORD_NUMBERS
from assistant.parse.schema import SUPPORT_INTENTS, TurnParse
from assistant.query import (COLOURS, GENDERS, MATERIALS, RECIPIENTS, SIZE_WORDS, asks_for_a_gift, child_age,
                             lexical_words, named_recipient, plausible, says_what_they_like, singulars, size_change,
                             stem, without_avoided, without_words)
from assistant.state import DialogueState
from retrieval.lexicon import singular

ACTIONS = ("search", "refine", "more", "similar", "answer", "compare", "offer_add", "add_to_cart",
           "set_quantity", "remove_from_cart", "view_cart", "recommend", "chat", "deals", "support",
           "handoff", "out_of_scope", "nothing_shown")
NEEDS_SHOWN = ("refine", "compare", "product_question", "similar", "add_to_cart")
SHOPPING = ("search", "refine", "gift_help", "similar", "product_question", "compare")
SEARCHING = ("search", "gift_help")  # intents whose product words are a search (``reading.read_kinds``)
ASKING = SEARCHING + ("refine",)  # intents whose kinds are asked for wherever they sit
CONFIDENT = 0.6  # below this intent probability the cart is not written without asking
_FOR_WHOM = RECIPIENTS | {"him", "her"}  # "too girly for him" says who it is for, as "for my dad" does
SUPPORT_DOUBT = 0.5
# a refinement the parser is this sure of, in words no rule reads ("waterproof ideally", "oversized
# fit" beside a list), narrows the need rather than passing as talk
SURE_REFINE = 0.9


def searched_for(parse: TurnParse) -> str | None:
    """The product words the parser read a search for; a refinement that is a thing alone
    ("shorts would be nice", no colour, size or price move) asks for that thing too."""
    plain_refine = parse.intent == "refine" and not (parse.slots.attributes or parse.slots.price_change)
    return parse.slots.query if parse.intent in SEARCHING or plain_refine else None


@dataclass(frozen=True)
class Action:
    """What the assistant does with a turn, and the rule that chose it."""

    kind: str
    rule: str
    intent: str | None = None  # the support intent to answer, or the parser's intent the handler reads
    quantity: int | None = None


@dataclass(frozen=True)
class Turn:
    """What a rule reads."""

    state: DialogueState
    parse: TurnParse
    message: str
    kinds: tuple[str, ...]
    described: tuple[str, ...] = ()  # words of the message that the store's titles use
    basket: tuple[str, ...] = ()  # titles of what the basket holds, when the message may ask to remove
    singled: str | None = None  # the words by which the message picks out one shown product

    @property
    def shown(self) -> bool:
        return bool(self.state.shown)

    @property
    def need(self):
        return self.state.need

    def new_kind(self) -> bool:
        """The message names a kind the store sells that the current need is not, and the
        parser did not read it as talk ("brb someone at the door", "you've been a star")."""
        kinds = self.asked_kinds()
        if not kinds:
            return False
        held = {stem(k) for k in (self.need.kinds if self.need else [])}
        return not held or not {stem(k) for k in kinds} <= held

    def asked_kinds(self) -> tuple[str, ...]:
        """The kinds named that are asked for. When the parser is sure the message does
        something else (a question about a shown item, a removal, a request to buy), a kind
        counts only inside the products it read ("is the kneeling pad waterproof?", "take the
        lanterns out", "the tea time one in the gift box")."""
        if self.parse.intent in ASKING or self.parse.confidence < CONFIDENT:
            return self.kinds
        read = singulars(self.parse.slots.query or "")  # "vases": vase
        return tuple(k for k in self.kinds if {singular(w) for w in k.split()} & read)

    def constrains(self, recipients: bool = True) -> bool:
        """The message narrows a need: an attribute, a budget, a price move, who it is for (or
        their age; unless ``recipients`` is False: "yes please, it's for my mum" is a yes), or
        something ruled out."""
        slots, _ = plausible(self.parse.slots, self.message)  # budgets in words too ("under a fiver")
        if slots.attributes or slots.min_price is not None or slots.max_price is not None or slots.price_change \
                or slots.brand or without_words(self.message) or child_age(self.message) or size_change(self.message):
            return True
        found = cue("for_someone").search(self.message) if recipients else None
        if found and found.group(1).lower() in _FOR_WHOM:
            return True
        words = {w.lower() for w in lexical_words(self.message)}
        return bool(words & (COLOURS | MATERIALS | GENDERS | SIZE_WORDS))

    def describes(self) -> bool:
        """A shopping turn with words product titles use ("an animal maybe", "rockets and space"),
        or a liking said in them ("she loves tweety and all cartoon stuff")."""
        return bool(self.described) and (self.parse.intent in SHOPPING or cue("likes").found(self.message))

    def product_words(self) -> list[str]:
        return lexical_words(self.message)


Rule = Callable[[Turn], Action | None]


def _rule(name: str, kind: str, when: Callable[[Turn], bool], intent: Callable[[Turn], str | None] | None = None):
    def rule(t: Turn) -> Action | None:
        return Action(kind, name, intent(t) if intent else None) if when(t) else None
    rule.__name__ = name
    return rule


def picked_option(message: str, options: list[str]) -> str | None:
    """The offered option a reply names, by whole words ("the notebooks" → "Notebooks"; "ok"
    names none, although "Books" contains it)."""
    said = set(re.findall(r"[a-z0-9]+", message.lower()))
    for option in options:
        words = set(re.findall(r"[a-z0-9]+", option.lower()))
        if words and (words <= said or (said and said <= words and len(said) == len(words))):
            return option
    return None


def _picks_option(t: Turn) -> bool:
    pending = t.state.pending
    return bool(pending and pending.kind == "which_kind" and picked_option(t.message, pending.options))


def _offer_pending(t: Turn) -> bool:
    return bool(t.state.pending and t.state.pending.kind == "offer_add")


def _yes_to_offer(t: Turn) -> bool:
    """A yes, and nothing else asked in the same breath ("ok and have you got any cheaper",
    "yes. but can you show more first"): a yes with a question or a new constraint answers
    that, and the offer waits."""
    said_yes = t.parse.intent == "affirm" or (cue("yes").found(t.message) and not cue("declines").found(t.message)
                                               and t.parse.intent != "deny") \
        or (t.parse.intent == "add_to_cart" and t.parse.confidence >= CONFIDENT and not t.parse.slots.references
            and not t.singled and not cue("placed").found(t.message) and not cue("names_one").found(t.message)
            and not cue("another_one").found(t.message)  # the offered one, no other
            and not cue("set_quantity").found(t.message))  # "actually make that 3": the offer changes first
    asks_besides = cue("asks_besides").found(t.message) or cue("more").found(t.message) \
        or t.constrains(recipients=False) or cue("deals").found(t.message) or t.new_kind()
    return _offer_pending(t) and said_yes and not cue("no").found(t.message) and not asks_besides \
        and t.parse.intent not in SUPPORT_INTENTS


def _no_to_offer(t: Turn) -> bool:
    said_no = t.parse.intent == "deny" or cue("no").found(t.message)
    asks_more = cue("more").found(t.message) or t.parse.intent == "more"  # "not yet, what other patterns?"
    return _offer_pending(t) and said_no and not t.new_kind() and not t.constrains() and not asks_more


def _removes(t: Turn) -> bool:
    """A removal points at the basket: it names it, names what a basket item is ("remove the
    cake stand"), or points with nothing else ("take it out"). "Get rid of anything red" or
    "the ones with cartoons" rules something out of the need instead, and a removal word
    beside a new kind ("get rid of clutter, any storage boxes?") asks for that kind."""
    if not may_remove(t.parse, t.message):
        return False
    if cue("defers").found(t.message) and not cue("remove").found(t.message) and not cue("basket").found(t.message):
        return False  # "hmm ill leave the cake tin for now": not buying it yet, no request to take it out
    if cue("basket").found(t.message):
        return True
    if cue("rules_out").found(t.message):
        return False
    named = cue("removes_a_named_one").search(t.message)
    if named and not _asks_besides_removing(t, named) \
            and not ("?" in t.message or any(cue("asks_about_it").found(c) for c in clauses(t.message))):
        return True  # "remove the kadhai", "take the decorations out": answered from the basket, even
        # when it holds none (not "take the lid off, is it dishwasher safe", which asks about it)
    held = {stem(w) for title in t.basket for w in lexical_words(title)}
    if {stem(w) for w in lexical_words(t.message)} & held:  # "take the large linen one out"
        return True
    return not t.new_kind() and not {stem(w) for w in lexical_words(cue("remove").cut(t.message))} - _POINTING_STEMS


def _asks_besides_removing(t: Turn, removal: re.Match) -> bool:
    """A new kind asked for beside the one taken out ("take the lanterns out and add candles"), not
    one named in the reason ("take the decorations out, there's a box of them in the cupboard")."""
    removed = {singular(w) for w in lexical_words(removal.group(0))}
    rest = t.message[removal.end():]
    asking = any(cue(name).found(rest) for name in ("wants", "asks_for_products", "adds"))
    kinds = tuple(k for k in t.kinds if singular(k.split()[-1]) not in removed and (asking or k in removal.group(0)))
    return Turn(t.state, t.parse, t.message, kinds).new_kind()


def may_remove(parse: TurnParse, message: str) -> bool:
    """Whether deciding needs the basket's contents (a removal is read against them)."""
    return parse.intent == "remove_from_cart" or cue("remove").found(message)


def _support(t: Turn) -> bool:
    """A support reading; in the middle of shopping ("my name's Priya" while choosing shoes) it
    needs a word of a support matter, or the parser's near certainty."""
    p = t.parse
    if p.intent not in SUPPORT_INTENTS or p.intent == "contact_human_agent":
        return False
    sure = p.is_support_by()  # summed over the support intents: "what cards do you take" names cards
    if t.need is not None and sure < 0.9 and not cue("support_talk").found(t.message):
        return False
    return sure >= SUPPORT_DOUBT or not t.kinds


def _size_only(t: Turn) -> bool:
    return cue("size_only").found(t.message)


def _size_about_shown(t: Turn) -> bool:
    """"I'm after a 44 in the first one": a size of one shown. The parser's name reference alone
    does not make it one ("30 cm" tagged "cm" as a name)."""
    refs = t.parse.slots.references
    return _size_only(t) and t.shown and (any(r.kind != "name" for r in refs) or (bool(refs) and _points(t.message)))


def _explicit_buy(t: Turn) -> bool:
    """"Add the blue one to my basket", "i'll take 2 of the first": never a question."""
    firm = _firm_buy(t)
    polite = cue("asks_to_have").search(t.message)  # "could I have three of them?": asked as a question
    found = firm or cue("buy").search(t.message) or polite
    if found is polite and t.parse.intent in SUPPORT_INTENTS:  # "can i get the refund for my last order?"
        return False
    if not found or not (t.shown or t.state.focus) or ("?" in t.message[found.start():] and found is not polite) \
            or cue("refuses").found(t.message[:found.end()]):  # "dont put it in please", "mat daal do"
        return False
    said = found.group(0).lower()  # "add it to my basket": the basket is where it goes, not a kind wanted
    rest = t.message[found.end():].strip(" .!,")  # "bargain, add": the request closes the message,
    last = not rest or cue("size_only").found(rest) or _only_a_place(rest)  # or only its size or place
    if t.parse.intent not in ("add_to_cart", "affirm", "praise") and not cue("basket").found(said) \
            and not last and not firm and found is not polite:
        return False
    return not Turn(t.state, t.parse, t.message, tuple(k for k in t.kinds if k not in said)).new_kind()


def _only_a_place(text: str) -> bool:
    """Nothing but a place in the list ("le leta hu, pehla wala": what is taken, said after)."""
    found = cue("placed").search(text)
    return found is not None and not re.search(r"[^\W\d_]", text[:found.start()] + text[found.end():])


_POINTERS = frozenset({"it", "them", "that", "this", "those", "these", "both", "each", "one", "ones", "the", "of"})
_POSITIONS = frozenset({"first", "second", "third", "fourth", "fifth", "last", "cheapest", "1st", "2nd", "3rd", "4th",
                        "5th"})
_ONE_IN_VIEW = ("answer", "offer_add", "add_to_cart", "set_quantity")  # last acts that leave one product in view


def _firm_buy(t: Turn) -> re.Match | None:
    """A request to buy that opens the message and ends on what it takes ("go with bootwale",
    "take the ceramic burner pot, 2 of them", "3 of the black please"): a request whatever the
    parser read, when what it takes is one product: a position, the words of one shown product,
    or a pointer ("it", "2 of them") while one product is in view (just asked about or offered),
    not a list. After it come at most thanks or a goodbye; put off ("ill go with that one, but
    lemme think") it is not."""
    found = cue("takes").search(t.message)
    if found is None or cue("defers").found(t.message) or t.parse.intent in SUPPORT_INTENTS:
        return None
    what = next(v for k, v in found.groupdict().items() if v and k != "count").lower()
    words = {w for w in re.findall(r"[\w'&-]+", what) if not w.isdigit() and w not in WORD_NUMBERS} - _POINTERS
    named = {stem(w) for w in lexical_words(t.singled or "")}
    one_in_view = t.state.last_action in _ONE_IN_VIEW or len(t.state.shown) == 1
    points = (not words and one_in_view) or bool(words and words <= _POSITIONS) \
        or bool(words and named & {stem(w) for w in words})
    return found if points else None


def _unclear_buy(t: Turn) -> bool:
    """The parser read a wish to buy that names no basket: it must point at something shown, and
    the reading must be better than a guess (an offer to add answers a request, not a hunch)."""
    slots = t.parse.slots
    return t.parse.intent == "add_to_cart" and t.parse.confidence >= SUPPORT_DOUBT and t.shown \
        and not t.new_kind() and "?" not in t.message and bool(slots.references or slots.quantity) \
        and not cue("no").found(t.message) and not cue("declines").found(t.message)


def _dislikes(t: Turn) -> bool:
    """A reaction against what is shown ("black?? bit goth for my mum", "the tartan one is a bit
    old fashioned"), as the parser reads it: never an offer, never a new need."""
    return t.shown and t.parse.intent == "dislike" and t.parse.confidence >= SUPPORT_DOUBT and not t.new_kind()


def _objects_to_shown(t: Turn, every: bool = False) -> bool:
    """A judgement against a shown product pointed at in the same breath ("hmm the fairy cakes
    ones a bit childish for me", "pandora twity one is too girly for him"), whatever the parser
    read: a dislike ("silver ones, gold is too costly" wants silver ones). With ``every``: against
    all that is shown ("hmm these are kinda plain for a wedding"), so the next ones are wanted."""
    judged = any(cue("objects").found(c) and (cue("all_shown").found(c) if every else
                                              _points(c) and not cue("all_shown").found(c))
                 for c in clauses(without_avoided(t.message)))
    return t.shown and judged and not t.new_kind() and "?" not in t.message and not cue("asks").found(t.message) \
        and t.parse.intent not in SUPPORT_INTENTS


def _names_something(t: Turn) -> bool:
    """A dislike that says what it is against (a colour, "the slogans", the third one, the
    price): that is ruled out. One that does not ("meh, bit boring") pages on."""
    s = t.parse.slots
    return bool(s.attributes or s.query or s.references or s.price_change)


def _praise(t: Turn) -> bool:
    """Praise that points at a shown product ("the second one is lovely"), not a warm goodbye,
    and not a look liked in general ("zinc ones look a bit more manly" asks for zinc ones)."""
    praised = _praise_said(t.message) or (t.parse.intent == "praise" and t.parse.confidence >= CONFIDENT
                                          and _points_at_one(t))
    return t.shown and praised and not t.new_kind() and not _looks_wanted(t) and not cue("more").found(t.message) \
        and not cue("like_this").found(t.message) and "?" not in t.message and not _asks_in_a_clause(t.message) \
        and (bool(t.parse.slots.references) or _points(without_avoided(t.message))) \
        and not cue("no").found(_unnamed(t.message)) and not cue("declines").found(_unnamed(t.message)) \
        and not cue("objects").found(t.message) and not cue("goodbye").found(t.message) \
        and not cue("asks_to_see").found(t.message) and not cue("denies_hindi").found(t.message)


def _points_at_one(t: Turn) -> bool:
    """One shown product picked out by its place or its words ("the 1st one is soooo her", "the
    blue teddy is sweet"). A judgement the parser alone reads as praise may be of the whole list
    ("meh those are a bit christmassy"), of a price just quoted ("wow thats cheap") or of something
    the customer has ("its a swift"): no offer to add follows those. With one product in view,
    "she'll adore this" is about it."""
    message = without_avoided(t.message)
    named = any(r.kind == "position" or (r.kind == "name" and lexical_words(r.text)) for r in t.parse.slots.references)
    return bool(t.singled) or named or len(t.state.shown) == 1 \
        or cue("placed").found(message) or cue("names_one").found(message)


def _unnamed(message: str) -> str:
    """The message without the words naming a shown product ("the thank you one is perfect" says
    no thanks)."""
    return cue("names_one").cut(message)


def _chooses_named(t: Turn) -> bool:
    """One shown product picked out by its own words, alone or with a liking said ("the gayatri
    one!!", "he loves orange, the gayatri one!"): a choice, so an offer to add, as praise is.
    Several shown products with those words ("those french blue ones") narrow the need instead, a
    look asked for ("zinc ones") too; a judgement, a question, a doubt or a fact about it is no choice."""
    pointer = cue("names_one").search(without_avoided(t.message))
    if pointer is None or not t.shown or not t.singled or any(r.kind != "name" for r in t.parse.slots.references):
        return False
    if pointer.group(0).lower().rstrip().endswith("ones") and not pointer.group(1):
        return False  # "scented ones for my nan": a look wanted, not one product ("the reindeer ones" is)
    said = {stem(w) for w in lexical_words(pointer.group(1) or pointer.group(2) or "")}
    rest = t.message[:pointer.start()] + " " + t.message[pointer.end():]
    liked = cue("likes").found(cue("looks_like").cut(rest)) and not cue("negated").found(rest)
    return bool(said & {stem(w) for w in lexical_words(t.singled)}) and (liked or not lexical_words(rest)) \
        and _nothing_against(t) and not _looks_wanted(t) and t.parse.intent not in SUPPORT_INTENTS + ("dislike",)


def _nothing_against(t: Turn) -> bool:
    """No question, request for others, doubt or judgement beside a product pointed at."""
    return "?" not in t.message and not _asks_in_a_clause(t.message) and not t.new_kind() \
        and not any(cue(name).found(t.message) for name in ("more", "like_this", "no", "declines", "objects",
                                                                  "asks_for_products", "defers", "comparative_price",
                                                                  "bigger", "smaller"))


def _asks_in_a_clause(message: str) -> bool:
    """A question in any clause ("the skybags one looks good but is it waterproof")."""
    return any(cue("asks").found(c) for c in clauses(message, at_conjunctions=True))


_CHOICE = frozenset({"first", "second", "third", "fourth", "fifth", "last", "one", "cheapest", "ok", "okay", "yes",
                     "yeah", "ya", "then", "please", "pls", "hmm", "so", "the", "that", "this", "i", "guess", "think"})


def _picks_alone(t: Turn) -> bool:
    """One shown product pointed at by its place and nothing else said ("ok the first one"): a
    choice. "not the first one", "tell me more about the first one" say more than that."""
    refs = t.parse.slots.references
    said = re.findall(r"[a-z]+", t.message.lower())
    return t.shown and len(refs) == 1 and refs[0].kind in ("position", "cheapest", "priciest") \
        and bool(said) and set(said) <= _CHOICE and _nothing_against(t)


def _looks_wanted(t: Turn) -> bool:
    """"The zinc ones", "pink ones": products of a colour or material, in the plural and named by
    nothing else, are a look wanted, not one product pointed at ("the pink one is cute" is)."""
    named = cue("names_one").search(without_avoided(t.message))
    words = set(lexical_words(named.group(1) or named.group(2) or "")) if named else set()
    return not t.parse.slots.references and bool(words) and words <= (COLOURS | MATERIALS) \
        and named.group(0).lower().rstrip().endswith("ones")


def _praise_said(message: str) -> bool:
    """A praise word said of something ("the owl one is adorable", "love that"), not one inside
    the words that name what is wanted ("nice ones in blue", "the pretty ones", "something more
    elegant")."""
    pointers = cue("points_at").spans(message) + cue("names_one").spans(message) + cue("look_asked").spans(message)
    return any(not any(s <= start and end <= e for s, e in pointers) for start, end in cue("praise").spans(message))


def _points(text: str) -> bool:
    """Words that point at a shown product: "the second one", "that", "the owl one", "bootwale
    one" ("not the pastel ones" is cut before this reads it: it rules out, it does not point)."""
    return cue("points_at").found(text) or cue("names_one").found(text)


def _asks_about_named(t: Turn) -> bool:
    """A question about a shown product named by its words ("the 5 dhaatu ones are so cheap,
    are they real silver?"), whatever the parser made of it: the answer is in its fields. Named
    by a colour or material ("have you got the pink ones?"), it asks for those: a refinement."""
    asked = "?" in t.message or cue("asks").found(t.message)
    named = cue("names_one").search(without_avoided(t.message))
    # "the oval electric one?" names one shown; "paper ones?" or "cheaper ones?" asks for others
    by_look = named and named.group(1) and set(lexical_words(named.group(1))) & (COLOURS | MATERIALS)
    # "canmp is 299? why so cheap" asks about canmp; "anything in genuine leather?", "paper ones?", a
    # budget or a thing "as well" ask for other products
    others = cue("others").found(t.message) or _budget_said(t) \
        or cue("another_thing").found(t.message) or cue("wants").found(t.message)  # "have you got it in pink?"
    buys = cue("buy").found(t.message) or (t.parse.intent == "add_to_cart" and t.parse.confidence >= CONFIDENT)
    picked = bool(named and named.group(1)) or (bool(t.singled) and "?" in t.message and not others and not buys)
    return t.shown and asked and not t.new_kind() and picked and not by_look and not cue("more").found(t.message) \
        and not cue("like_this").found(t.message) and not cue("like_that").found(t.message) \
        and not cue("asks_for_products").found(t.message)


_ASKS_FOR_OTHERS = ("others", "wants", "another_thing", "buy", "asks_to_have", "more", "like_this",
                    "asks_for_products", "comparative_price", "bigger", "smaller")  # not about the one in view


def _asks_about_placed(t: Turn) -> bool:
    """A question about one shown product by its place ("2nd one has mic?", "3rd one kitne ka
    hai?"), whatever the parser read: not two places (a comparison), not a request for others."""
    asked = "?" in t.message or cue("asks").found(t.message)
    others = any(cue(n).found(t.message) for n in _ASKS_FOR_OTHERS) or _budget_said(t)
    return t.shown and asked and len(cue("placed").spans(t.message)) == 1 and not others and not t.new_kind()


def _asks_whether_it_is(t: Turn) -> bool:
    """A yes-or-no question about what is pointed at ("both genuine leather?", "real stone hai
    ya artificial", "it comes in 10-11 yrs na?"): answered from its fields, not a search for
    products that are. Asking for others ("any in leather?", "have you got it in red") is not."""
    asked = "?" in t.message or cue("asks").found(t.message) or cue("asks_hinglish").found(t.message)
    points = cue("pronoun").found(t.message) or cue("placed").found(t.message) or bool(t.singled) \
        or cue("names_one").found(t.message) or cue("both").found(t.message)
    others = any(cue(n).found(t.message) for n in (*_ASKS_FOR_OTHERS, "asks_if_sold"))
    named = cue("names_one").search(t.message)  # "red one?" asks for a red one: a refinement
    by_look = named is not None and bool(set(lexical_words(named.group(0))) & (COLOURS | MATERIALS))
    return t.shown and asked and points and not others and not by_look and not _budget_said(t) and not t.new_kind() \
        and t.parse.intent not in SUPPORT_INTENTS and t.parse.intent not in ("compare", "similar")


def _asks_about_the_one_in_view(t: Turn) -> bool:
    """A question while one product is in view (just answered about or offered) that points at
    nothing else ("size M hoga?", "real stone hai ya artificial", "so 3 packs would be 216?",
    "wait is amethyst purple?"): about that product, answered from its fields. Asking for others
    ("have you got it in blue?", "any cheaper?") is not."""
    asked = "?" in t.message or cue("asks").found(t.message) or cue("asks_hinglish").found(t.message)
    others = any(cue(n).found(t.message) for n in (*_ASKS_FOR_OTHERS, "asks_if_sold", "names_besides", "deals", "placed",
                                                   "both"))
    slots, _ = plausible(t.parse.slots, t.message)
    opens = cue("opens_yes_no").found(t.message)  # "is it purple? she hates purple" asks it of the one in view
    ruled_out = without_words(t.message) and not opens  # "not leather?" narrows
    yes_no = opens or cue("asks_hinglish").found(t.message)
    narrows = (any(k != "size" for k in slots.attributes) and not yes_no) or ruled_out or child_age(t.message) \
        or named_recipient(t.message) is not None or cue("for_someone").found(t.message)  # a size asked is of it
    return bool(t.state.focus) and t.state.last_action in _ONE_IN_VIEW and asked and not others and not narrows \
        and not _budget_said(t) and not t.new_kind() and t.parse.intent not in SUPPORT_INTENTS + (
            "compare", "similar", "out_of_scope", "chitchat", "greeting", "thanks", "recommend_for_me", "gift_help")


def _asks_about_it(t: Turn) -> bool:
    """A question about the product in view ("how much was it again?", "battery included?"),
    whatever the parser read; not one asking for others ("is it available under 500", "do they
    have a bigger one", "is it possible to get them in red") and not one about anything else."""
    asked = replace(t, message=cue("asks_about_it").cut(t.message))  # "how big is it?" narrows nothing
    return (t.shown or bool(t.state.focus)) and cue("asks_about_it").found(t.message) and not t.new_kind() \
        and not asked.constrains() and t.parse.intent != "out_of_scope" \
        and not any(cue(n).found(asked.message) for n in ("more", "like_this", "bigger", "smaller", "comparative_price"))


def _asks_for_unsold(t: Turn) -> bool:
    """Something asked for by a word no title uses ("also need earrings to match" in a shop with
    none): a new need, answered with what is nearest, not a refinement of the kurta in hand."""
    query = t.parse.slots.query or ""
    words = {singular(w) for w in lexical_words(query)}
    titled = {singular(w.lower()) for w in t.described}
    besides = cue("another_thing").found(t.message)  # "also earphones for him": asked for, however the parser read it
    sought = besides or (t.parse.intent in SEARCHING and t.parse.confidence >= SUPPORT_DOUBT
                         and cue("asks_for_products").found(t.message))
    return t.need is not None and sought and t.parse.intent not in SUPPORT_INTENTS \
        and not cue("unnamed").found(t.message) \
        and not t.kinds and bool(words) and not words & (titled | _need_words(t)) \
        and not t.parse.slots.references and not cue("pronoun").found(t.message)


def _asks_if_sold(t: Turn) -> bool:
    """"ok do u sell wrapping paper then" while choosing a necklace: asks for another thing. Not
    "do you have it in blue" (the thing in hand) nor "do you have necklaces with pearls" (the need)."""
    found = cue("asks_if_sold").search(t.message)
    if t.need is None or found is None or _budget_said(t) or t.parse.slots.references:
        return False
    rest = re.split(r"[?.!;,]", t.message[found.end():], maxsplit=1)[0]  # its clause: "diapers? newborn size"
    words = {singular(w) for w in lexical_words(rest)}
    things = words - COLOURS - MATERIALS - GENDERS - SIZE_WORDS  # "do you have any in red" narrows the need
    return bool(things) and not cue("pronoun").found(rest) and not cue("unnamed").found(rest) \
        and not words & _need_words(t)


def _asks_afresh(t: Turn) -> bool:
    """A request for products when the need in hand has no kind and is for no one ("looking for
    something to keep warm on the sofa" after "my flat is freezing"): a new search. "need it to be
    washable" says more about the need in hand."""
    need = t.need
    return need is not None and need.kind is None and not need.gift and need.for_whom is None \
        and cue("asks_for_products").found(t.message) and not t.constrains() and not t.parse.slots.references \
        and not cue("wants_it").found(t.message)


def _off_topic(t: Turn) -> bool:
    return t.parse.intent == "out_of_scope" and not t.kinds and not t.constrains() and not t.described \
        and not cue("asks_for_products").found(t.message)


def _points_at_nothing(t: Turn) -> bool:
    """"Compare the first two" before anything was shown: every word points at a screen."""
    return not t.shown and t.parse.intent in NEEDS_SHOWN and only_pointing(lexical_words(t.message))


_POINTING_STEMS = frozenset(stem(w) for w in POINTING)


def only_pointing(words: list[str]) -> bool:
    """Whether every word points at shown products, typos allowed ("diffrence"): a word of five
    letters or more may be one edit from a pointing word, of eight or more two."""
    def pointing(word: str) -> bool:
        if word in POINTING:
            return True
        allowed = 2 if len(word) >= 8 else 1 if len(word) >= 5 else 0
        return allowed > 0 and any(DamerauLevenshtein.distance(word, p, score_cutoff=allowed) <= allowed
                                   for p in POINTING if abs(len(p) - len(word)) <= allowed)

    return bool(words) and all(pointing(w) for w in words)


def _more_of_the_need(t: Turn) -> bool:
    """"More", or "similar" pointing at no one product ("any others like that"): more of the need."""
    return t.parse.intent == "more" or (t.parse.intent == "similar" and not t.parse.slots.references)


def _gift_ideas(t: Turn) -> bool:
    """A gift asked for that says nothing the store's titles use about the person ("present for
    my dad", "my sister's 30 next month and I'm clueless"), with no kind in hand: ideas to start
    from, not a search of those words. A need of a kind already in hand is refined instead."""
    unnamed_for = cue("unnamed").found(t.message) and named_recipient(t.message) is not None  # "something for my nan"
    worded = (asks_for_a_gift(t.message) or unnamed_for) and t.parse.intent not in SUPPORT_INTENTS \
        and t.parse.is_talk_by() < CONFIDENT  # not "a gift receipt?"
    asked = (t.parse.intent == "gift_help" and not t.parse.slots.references) or worded
    fresh = t.need is None or (t.need.kind is None and not t.need.gift and not t.need.lexical)
    return bool(asked) and fresh and not t.kinds and not says_what_they_like(t.described)


def _another_person(t: Turn) -> bool:
    """Shopping for someone moving on to the next person ("right, now my niece", "grandad now"): a
    new need for them, whatever the need in hand was. Naming who a need with no one yet is for
    refines it, and "my husband too" beside a kind wants the same kind."""
    person = named_recipient(t.message, topic=True)
    same_thing = bool(t.need and t.need.kind) and cue("another_thing").found(t.message)  # "my husband too"
    return t.need is not None and t.need.for_whom is not None and person not in (None, t.need.for_whom) \
        and not t.parse.slots.references and not same_thing


def _ideas_in_hand(t: Turn) -> bool:
    """The need is gift ideas: a gift with no kind and no words to search yet."""
    return t.need is not None and t.need.gift and t.need.kind is None and not t.need.lexical


def _budget_said(t: Turn) -> bool:
    slots, _ = plausible(t.parse.slots, t.message)
    return slots.max_price is not None or slots.min_price is not None


def _likes_said(t: Turn) -> bool:
    return says_what_they_like(lexical_words(t.message))


def _answers_interests(t: Turn) -> bool:
    """The answer to "what is she into?" ("hmm he does like a cuppa", "unicorns!"): what they
    like is the need now, when it names what the titles use, asks for products or says a liking;
    "no idea", "hmm let me think" or a no leave the ideas as they are."""
    return bool(t.state.pending and t.state.pending.kind == "interests") and _likes_said(t) \
        and (bool(t.described) or t.parse.intent in SHOPPING or cue("likes").found(t.message)) \
        and not t.parse.slots.references and not cue("no").found(t.message)


def _need_words(t: Turn) -> set[str]:
    """The words of the need's kind, in the singular ("lunch bag": lunch, bag)."""
    return {singular(w) for k in [*t.need.kinds, t.need.kind or ""] for w in k.split()}


def _another_thing(t: Turn) -> bool:
    """A second thing asked for beside the need ("jigsaw for him as well?", "some pots for his
    herbs too"): the parser's product words (or the kinds named), none of them the need's kind,
    with words saying it is besides. A shown product pointed at, or a narrowing ("in blue too?"),
    is about the need; who the thing is for is not a narrowing."""
    query = t.parse.slots.query
    if t.need is None or not (query or t.kinds) or t.parse.slots.references or t.constrains(recipients=False) \
            or not cue("another_thing").found(t.message):
        return False
    held = _need_words(t)
    said = {singular(w.lower()) for w in t.described}
    words = {singular(w) for w in lexical_words(query or " ".join(t.kinds)) if stem(w) not in RECIPIENTS}
    return bool(words & said) and not words & held


def _adds_to_need(t: Turn) -> bool:
    """Product words that say more than the need's own kind ("something with owls"), or, with
    nothing on screen, the kind itself named again, or asked for again ("do you have anything that
    holds a few photos"). "ha didnt know aprons were this complicated" beside a list of aprons adds
    nothing: it is talk, not a refinement."""
    if not t.shown:
        return bool(t.kinds) or t.describes()
    held = _need_words(t)
    return (t.describes() and any(singular(w.lower()) not in held for w in t.described)) \
        or (bool(t.kinds or t.described) and cue("asks_for_products").found(t.message))


def _puts_off(t: Turn) -> bool:
    """The need put aside for now ("ok ill come back to the lights", "nah, bag n clutch are
    enough", "ugh all plastic. skip it then"): talk that keeps the need. A question, a budget, or
    anything asked for after it ("skip those, show me the red ones", "skip those, candles instead")
    is a request."""
    put = cue("defers").search(t.message) or cue("goodbye").search(t.message)
    if t.need is None or put is None or "?" in t.message or cue("asks_for_products").found(t.message) \
            or _budget_said(t) or cue("takes").found(t.message) or cue("buy").found(t.message):
        return False
    after = t.message[put.end():].strip(" ,.;:!-")
    if any(cue(name).found(after) for name in ("asks_for_products", "wants", "more", "gift", "asks",
                                                "comparative_price", "bigger", "smaller")):
        return False
    held = _need_words(t)  # "ill come back to the lights": the need itself, put off
    titled = {singular(w.lower()) for w in t.described} | {singular(w) for k in t.asked_kinds() for w in k.split()}
    return not any(singular(w) in titled and singular(w) not in held for w in lexical_words(after))


def _small_talk(t: Turn) -> bool:
    if t.new_kind() or t.constrains() or (t.need is None and t.described):  # "spaceboy": what the shop sells
        return False
    if (cue("asks_for_products").found(t.message) or cue("names_besides").found(t.message)) \
            and t.parse.intent in SEARCHING and t.parse.confidence >= CONFIDENT:
        return False  # "do u sell electric blankets", "oh and a football too": asked, even when the shop has none
    if t.parse.intent in ("greeting", "thanks", "chitchat"):
        return True
    return t.need is not None  # names nothing the store sells and nothing that narrows: talk, not a search


RULES: tuple[Rule, ...] = (
    _rule("points_at_nothing_shown", "nothing_shown", _points_at_nothing),
    _rule("answers_which_kind", "search", _picks_option),
    _rule("yes_to_offer", "add_to_cart", _yes_to_offer),
    _rule("no_to_offer", "chat", _no_to_offer),
    _rule("injection", "out_of_scope", lambda t: cue("injection").found(t.message)),
    _rule("asks_for_a_person", "handoff",
          lambda t: t.parse.intent == "contact_human_agent" and cue("a_person").found(t.message)),
    _rule("asks_about_deals", "deals",
          lambda t: (cue("deals").found(t.message) and (not t.new_kind() or "?" in t.message))
          or (t.parse.intent == "deals" and t.parse.confidence >= SUPPORT_DOUBT and not cue("more").found(t.message)
              and not t.kinds)),  # "a discount if I buy 10? thinking party bags": the deal is asked; with no
    # word of a deal, a thing named is what is asked for ("do u do reward stickers?")
    _rule("asks_for_a_service", "support", lambda t: cue("gift_service").found(t.message)
          and not cue("asks_if_sold").found(t.message), lambda t: "gift_service"),
    _rule("gives_an_order_number", "support", lambda t: cue("order_number").found(t.message) and not _budget_said(t)
          and (t.state.last_action == "support" or cue("names_an_order").found(t.message)),
          lambda t: "track_order"),  # "536365 i think" after "which order?"; "15000" alone is a budget
    _rule("asks_when_it_arrives", "support", lambda t: cue("arrives_by").found(t.message) and not t.new_kind(),
          lambda t: "delivery_period"),
    _rule("asks_what_delivery_costs", "support", lambda t: cue("delivery_cost").found(t.message) and not t.new_kind()
          and not cue("buy").found(t.message), lambda t: "delivery_options"),  # "add the first, free delivery hai na": a buy
    _rule("reports_damage", "support", lambda t: cue("arrived_damaged").found(t.message), lambda t: "return_item"),
    _rule("asks_how_to_pay", "support", lambda t: cue("pays").found(t.message) and not t.new_kind(),
          lambda t: "check_payment_methods"),
    _rule("sets_quantity", "set_quantity", lambda t: cue("set_quantity").found(t.message)),
    _rule("size_about_a_shown_item", "answer", _size_about_shown),
    _rule("size_refines_need", "refine", lambda t: _size_only(t) and t.need is not None),
    _rule("asks_to_buy", "add_to_cart", _explicit_buy),
    _rule("takes_a_count_of_one", "add_to_cart", lambda t: t.shown and cue("count_closes").found(t.message)
          and "?" not in t.message and not t.new_kind() and t.parse.intent not in ("product_question", "deny", "compare")
          and not any(cue(n).found(t.message) for n in ("asks", "asks_hinglish", "negated"))
          and (bool(t.singled) or any(cue(n).found(t.message) for n in ("placed", "names_one")))),
    _rule("views_cart", "view_cart", lambda t: not cue("remove").found(t.message) and (t.parse.intent == "view_cart" or (
        cue("shows_basket").found(t.message) and t.parse.intent not in SUPPORT_INTENTS
        and not (t.shown and cue("how_many").found(t.message))))),  # a removal is no look; "in total for 3?" prices 3
    _rule("removes_from_cart", "remove_from_cart", _removes),
    _rule("support_question", "support", _support, lambda t: t.parse.intent),
    _rule("quantity_price", "answer", lambda t: t.shown and cue("how_many").found(t.message)),
    _rule("dislikes_what_is_shown", "refine", lambda t: _dislikes(t) and _names_something(t)),
    _rule("dislikes_all_shown", "more", _dislikes),
    _rule("objects_to_all_shown", "more", lambda t: _objects_to_shown(t, every=True) and not t.constrains()
          and not t.parse.slots.references and not _praise_said(t.message) and not cue("asks_for_products").found(
              t.message) and not any(cue(n).found(t.message) for n in ("bigger", "smaller", "comparative_price")),
          lambda t: "dislike"),
    _rule("objects_to_one_shown", "refine", _objects_to_shown, lambda t: "dislike"),
    _rule("unclear_buy", "offer_add", _unclear_buy),
    _rule("praises_shown", "offer_add", _praise),
    _rule("pages_on", "more", lambda t: t.need is not None and not t.new_kind() and not cue("like_this").found(
        t.message) and not cue("asks_about_it").found(t.message)  # "how much is it again": about it, no more
          and (cue("more").found(t.message) or (_more_of_the_need(t) and t.parse.confidence >= CONFIDENT
                                                and not t.constrains()))),
    _rule("more_like_one", "similar", lambda t: t.shown and not t.new_kind() and (
        cue("like_this").found(t.message)
        or (t.parse.intent == "similar" and t.parse.confidence >= SUPPORT_DOUBT and bool(t.parse.slots.references))
        or (cue("like_that").found(t.message) and _points_at_one(t)))),  # "the frosted star one... anything like that?"
    _rule("compares_shown", "compare", lambda t: t.shown and t.parse.intent == "compare" and not t.new_kind()
          and not (len(cue("placed").spans(t.message)) == 1 and not cue("compares").found(t.message))),
    _rule("question_about_shown", "answer",
          lambda t: t.shown and t.parse.intent == "product_question" and not t.new_kind()),
    _rule("asks_about_a_named_one", "answer", _asks_about_named),
    _rule("asks_about_a_placed_one", "answer", _asks_about_placed),
    _rule("chooses_a_named_one", "offer_add", _chooses_named),
    _rule("picks_one_by_place", "offer_add", _picks_alone),
    _rule("asks_about_it", "answer", _asks_about_it),
    _rule("asks_whether_it_is", "answer", _asks_whether_it_is),
    _rule("asks_about_the_one_in_view", "answer", _asks_about_the_one_in_view),
    _rule("puts_it_off", "chat", _puts_off),
    _rule("steps_away", "chat", lambda t: t.need is not None and cue("away").found(t.message) and "?" not in t.message
          and not cue("asks_for_products").found(t.message) and not _budget_said(t)),
    _rule("names_a_new_kind", "search", lambda t: t.new_kind()),
    _rule("gift_for_another_person", "search", lambda t: _another_person(t) and says_what_they_like(t.described)),
    _rule("ideas_for_another_person", "recommend", _another_person),
    _rule("says_what_they_like", "search", _answers_interests),
    _rule("gift_ideas", "recommend", _gift_ideas),
    _rule("narrows_gift_ideas", "recommend", lambda t: _ideas_in_hand(t) and not _likes_said(t) and not t.kinds
          and (_budget_said(t) or named_recipient(t.message) not in (None, t.need.for_whom))),
    _rule("asks_for_another_thing", "search", _another_thing),
    _rule("asks_for_a_thing_not_sold", "search", _asks_for_unsold),
    _rule("asks_whether_sold", "search", _asks_if_sold),
    _rule("asks_for_a_thing_to_do_something", "search", lambda t: t.need is not None and not t.asked_kinds()
          and cue("for_a_purpose").found(t.message) and not t.parse.slots.references),
    _rule("asks_afresh", "search", _asks_afresh),
    _rule("refines_need", "refine", lambda t: t.need is not None and (t.constrains() or _adds_to_need(t))),
    _rule("off_topic", "out_of_scope", _off_topic),
    _rule("wants_picks", "recommend", lambda t: t.parse.intent == "recommend_for_me" and not t.kinds),
    _rule("refines_as_read", "refine", lambda t: t.need is not None and t.shown and t.parse.intent == "refine"
          and t.parse.confidence >= SURE_REFINE and not t.new_kind() and bool(lexical_words(t.message))),
    _rule("small_talk", "chat", _small_talk),
    _rule("request", "search", lambda t: bool(t.described) or bool(t.kinds) or t.constrains()
          or cue("asks_for_products").found(t.message)
          or (t.parse.intent in ("search", "gift_help") and t.parse.confidence >= SUPPORT_DOUBT)),
)


def _words_of(text: str) -> list[str]:
    return [singular(w) for w in re.findall(r"[a-z'-]+", text.lower())]


def _owned_only(message: str) -> set[str]:
    """The words naming only something someone has ("my waist is 34", "his bag is torn", "she
    already has a candle"): said once, and not as the thing wanted ("i need a new one")."""
    if cue("wants_a_new_one").found(message):  # "my phone is dead, i need a new one": the thing had is wanted
        return set()
    owned = {singular(w) for name in ("owned", "owned_place") for m in cue(name).finditer(message)
             for w in m.group(1).lower().split()}
    owned |= _words_of_clauses(message, "already_has")
    said = _words_of(message)
    return {w for w in owned if said.count(w) == 1}


def _named_besides(message: str, kinds: Sequence[str]) -> bool:
    """A kind said right after a leading "and" or before "bhi"/"too" ("oh and bunting!!", "ties
    bhi hai?"), not a thing mentioned in talk ("oh and the sunglasses arrived today")."""
    said = {singular(w) for m in cue("names_besides").finditer(message) for w in _words_of(m.group(1) or m.group(2))}
    return any(singular(k.split()[-1]) in said for k in kinds)


def _told_of_a_person(message: str) -> set[str]:
    """The words of clauses that say who someone is ("im in college", "he's a boy"): they describe
    the person, so they refine what is wanted (kept as words) but name no kind to shop for."""
    said = _words_of(message)  # "I'll need wrapping paper. I'm rubbish at wrapping": asked for besides
    return {w for w in _words_of_clauses(message, "says_who_they_are") if said.count(w) == 1}


def _words_of_clauses(message: str, name: str) -> set[str]:
    """The words of the message's clauses (cut at asides too) where the cue ``name`` holds."""
    return {w for c in clauses(message, at_asides=True) if cue(name).found(c) for w in _words_of(c)}


def decide(state: DialogueState, parse: TurnParse, message: str, kinds: Sequence[str] = (),
           described: Sequence[str] = (), basket: Sequence[str] = (), singled: str | None = None) -> Action:
    """The first rule of ``RULES`` that answers; a turn nothing answers is small talk.
    ``described``: the message's words that the store's product titles use; ``basket``: the
    titles of what the basket holds (needed only when ``may_remove`` says so); ``singled``: the
    words that pick out one shown product (``reading.singled_out``)."""
    # "thanks youve been a star x", "brb someone at the door": a kind word in talk is not a kind
    # asked for; a message of product words only ("playing cards") is a request whatever the parser says
    if parse.is_talk_by() >= CONFIDENT and len(described) < len(lexical_words(message)) \
            and not _named_besides(message, kinds):  # "oh and bunting!! nearly forgot" asks for bunting
        kinds, described = (), ()
    ruled_out = {singular(w) for w in without_words(message)}  # "not a watch pls": no watch asked for
    kinds = [k for k in kinds if singular(k.split()[-1]) not in ruled_out]
    if state.need is not None:  # "cotton only, her skin is v sensitive": her skin describes her
        owned = _owned_only(message)
        told = _told_of_a_person(message)  # "she is a school teacher": no school things asked for
        kinds = [k for k in kinds if singular(k.split()[-1]) not in owned | told]
        described = [w for w in described if singular(w.split()[-1]) not in owned]
    turn = Turn(state, parse, message, tuple(kinds), tuple(described), tuple(basket), singled)
    for rule in RULES:
        action = rule(turn)
        if action is not None:
            return action
    return Action("out_of_scope" if parse.intent == "out_of_scope" else "chat", "nothing_to_act_on")


def keeps_offer(asked, action: Action, state: DialogueState) -> bool:
    """A question about the product just offered ("how big is it?") leaves the offer open for
    one more turn: the "ok yes please" that follows is its answer."""
    return asked.kind == "offer_add" and not asked.kept and action.kind == "answer" \
        and state.focus == asked.product_id
