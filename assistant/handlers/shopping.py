"""Handlers that show products: a new need, a refinement, the next page, more like one,
personal picks; and the ones that answer about what is shown (compare, a question).

Every list is searched from the need in ``DialogueState`` (its kind first, then what refines
it), never from the last message alone, so small talk between two turns changes nothing.
"""

from __future__ import annotations

import os
import re
from difflib import SequenceMatcher
from functools import partial
from typing import Callable, Iterable, Sequence

import numpy as np

from assistant import replies
from assistant.answers import best_fact, facts_of, shown_with
from assistant.cues import clauses, cue
from assistant.decide import picked_option
from assistant.handlers.base import Act, Picked
from assistant.parse.normalise import WORD_NUMBERS, parse_reference
from assistant.parse.schema import Reference, Slots, TurnParse
from assistant.query import (COLOURS, GENDERS, MATERIALS, RECIPIENTS, SIZE_WORDS, lexical_words, named_recipient,
                             plan_search, plausible, recipient_for, singulars, size_change, stem, stems,
                             without_avoided, without_words)
from assistant.reading import named_words
from assistant.session import Session
from assistant.shopping import carries, gift_picks, is_vague, measure_said, priced_ones, resolve
from assistant.state import Need, Pending
from retrieval.kind_index import KindIndex
from retrieval.lexicon import singular
from retrieval.product import Candidate, Product
from retrieval.stores.base import SearchFilter

# Who a need is for says whose products come first; "male" / "female" where the person may be a
# child or an adult (a son), "men" / "women" for a grown-up.
RECIPIENT_GENDER = {
    **dict.fromkeys(("mum", "mom", "mother", "mummy", "wife", "girlfriend", "gf", "grandma", "granny", "nan", "aunt",
                     "chachi", "bhabhi", "mausi", "masi", "bua"), "women"),
    **dict.fromkeys(("dad", "father", "papa", "husband", "hubby", "boyfriend", "bf", "grandad", "grandpa", "uncle",
                     "chacha", "jiju", "tauji"), "men"),
    **dict.fromkeys(("son", "nephew", "grandson", "brother", "bhai"), "male"),
    **dict.fromkeys(("daughter", "niece", "granddaughter", "sister", "didi"), "female"),
}
GIFT_POOL = 300  # best sellers the gift ideas are picked from (budget and kinds thin them)
GIFT_SAID = 5  # gift ideas taken from what the message says, before the best sellers
MISSPELT = 0.75  # how alike a typo and the title word it means are ("neckless", "necklace": 0.75)
KIND_FIRST_LEAST = 3  # fewer products of the kind than this in a list: search the kind's own words too
SIMILAR_FILLER = {"similar", "same", "alike", "bigger", "larger", "smaller", "tinier", "cheaper", "pricier",
                  "version", "instead", "but", "one", "ones", "that", "this", "those", "these", "other", "else",
                  "different", "another", "more", "less", "expensive", "first", "second", "third", "last", "like"}


class ShoppingHandlers:
    # ------------------------------------------------------------------ needs
    def _new_search(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """A new need from the whole message: its meaning, its product words, its plausible slots.
        After gift ideas, the gift (who it is for, the budget) carries over to the first kind named;
        who the shopping is for ("for my dad", or a gift's person) carries over until someone else (or
        "me") is named."""
        held = session.state.need if session.state.need is not None else Need()
        wrapping = cue("asks_wrapping").found(message)  # "and a card as well": the card itself is wanted
        gift = parse.intent == "gift_help" or ((cue("gift").found(message) or held.gift) and not wrapping)
        named = named_recipient(message) if gift else recipient_for(message)  # "my son broke my mug": no gift
        person = named or (held.for_whom if not cue("for_me").found(message) else None)
        same = held.gift and held.kind is None and person == held.for_whom  # gift ideas for the same person
        frame = held if same else Need()
        plan = plan_search(message, parse.slots, gift=gift)
        slots = plan.slots
        sought = [s.text for s in parse.spans if s.type in ("query", "category")]
        kinds = _thing_asked(self.kinds(), message, kinds, sought)
        budget = _budget(slots, frame)
        wanted = dict(slots.attributes)
        _for_a_child(wanted, message)
        if "gender" not in wanted and held.wanted.get("gender") and _same_shopper(held, person, message):
            wanted["gender"] = held.wanted["gender"]  # "boots for myself, women's size 6": her sweater too
        need = Need(kind=kinds[0] if kinds else None, kinds=kinds, query=plan.dense, lexical=plan.lexical,
                    wanted=wanted, unwanted=list(plan.avoid),
                    min_price=budget[0], max_price=budget[1], currency=slots.currency or frame.currency,
                    brand=slots.brand, for_whom=person, gift=gift)
        order = "asc" if cue("cheapest").found(message) else "desc" if cue("priciest").found(message) else None
        words = replies.gift_ideas if gift and parse.intent == "gift_help" else replies.search_results
        state = session.state
        before = (state.need, state.focus, state.seen, state.page)  # showing replaces each, never edits it
        act = self._show_need(session, need, words, clarify=not plan.lexical and not kinds, price_order=order,
                              category=slots.category)
        unsold = [w for w in lexical_words(parse.slots.query or "") if stem(w) not in RECIPIENTS]
        present = parse.intent == "gift_help" or cue("gift").found(message)  # this message asks for a present
        lacking = None if present or not act.products else self._unsold_compound(message, unsold, act.products)
        if act.products and not kinds and not present and unsold and self._not_sold(parse, act.products):
            lacking = " ".join(unsold)
        if lacking:  # "earrings", none sold: the nearest things of other kinds answer nothing asked; say so,
            # and keep the need in hand. A present is asked for, not the thing she loves ("she loves unicorns")
            state.need, state.focus, state.seen, state.page = before
            return Act(replies.not_sold(lacking, state.need.kind if state.need else None), show=False,
                       gap=need.lexical or " ".join(unsold) or lacking)
        carried = slots.min_price is None and slots.max_price is None  # the budget was said before
        return self._of_kind_past_budget(session, need, act, words) if carried else act

    def _of_kind_past_budget(self, session: Session, need: Need, act: Act, words: Callable) -> Act:
        """A kind the shop sells, none of it within a budget said earlier ("what about a doormat"
        after gift ideas under £5): the kind's nearest, said so, never other things that fit the
        budget; the budget stays."""
        def of_kind(products: list[Product]) -> bool:
            return any(self.kinds().of_kind(p, need.kinds) for p in products)
        bounded = need.min_price is not None or need.max_price is not None
        if not (act.products and need.kinds and bounded) or of_kind(act.products):
            return act
        free = need.model_copy(update={"min_price": None, "max_price": None})
        again = self._show_need(session, free, words, clarify=False)
        session.state.need = need
        if not of_kind(again.products):
            return act
        again.reply = replies.none_in_budget(need.kind) + "\n\n" + again.reply
        return again

    def _not_sold(self, parse: TurnParse, found: list[Product]) -> bool:
        """The thing searched for is named by no title, even spelled right ("candel" is a candle),
        and by none of what was found."""
        asked = " ".join(lexical_words(parse.slots.query or ""))  # decided a new need, whatever the parser read
        speller = self.shopper.searcher.speller
        spelled = speller.correct(asked) if speller is not None and asked else asked
        said = f"{asked} {spelled}"  # "bangles": BANGLE, in either reading of the plural
        return bool(asked) and not self.kinds().described(lexical_words(said)) \
            and not any(stems(said) & stems(p.title) or singulars(said) & singulars(p.title) for p in found) \
            and not any(_misspelt(w, lexical_words(p.title)) for w in lexical_words(asked) for p in found)

    def _unsold_compound(self, message: str, words: list[str], found: list[Product]) -> str | None:
        """"Hair dryers" in a shop with hair grips and no dryer: a word of the titles said just
        before a thing no title names, even spelled right, only says what kind of that thing; the
        two words name what is asked for, and it is not sold. When what was found is that word's own
        kind ("clutch golden", "kurta chahiye"), the word after it says how it looks or asks for it."""
        if not any(cue(name).found(message) for name in ("asks_if_sold", "asks_for_products", "wants")):
            return None  # only a thing asked for in so many words: "pink dikhaiye" or "door stops" alone is a search
        speller, index = self.shopper.searcher.speller, self.kinds()
        heads = {singular(kind.split()[-1]) for kind in map(index.kind_of, found) if kind}
        said = index.title_words | {w for p in found for w in lexical_words(" ".join([p.title, *p.category]))}
        for before, word in zip(words, words[1:]):
            if len(word) < 5 or not word.isalpha() or not index.described([before]) or before in _LOOK_WORDS \
                    or singular(before) in heads or not re.search(rf"\b{re.escape(before)}\s+{word}\b", message, re.I):
                continue  # the parser's words may join two phrases ("tape ... cellophane bags"): said together only
            spelled = speller.correct(word) if speller is not None else word
            joined = before + singular(word)  # "door stops": DOORSTOP
            if not index.described([word, spelled, joined]) and not index.named(word) \
                    and not _shares_root(word, said) \
                    and not any(_misspelt(word, lexical_words(p.title)) for p in found):
                return f"{before} {word}"
        return None

    def _refine(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """The need, narrowed by what the message adds; its kind stays."""
        state = session.state
        need = (state.need or Need()).model_copy(deep=True)
        new, _ = plausible(parse.slots, message)
        on_screen = self.shown_products(session)
        disliked, gone = [], set()
        if parse.intent == "dislike":  # "black?? bit goth for my mum": what it names is ruled out, not wanted
            disliked, gone = _disliked(parse, on_screen, need)
            new = new.model_copy(update={"attributes": {}})
        if "gender" not in new.attributes:
            _for_a_child(need.wanted, message)
        need.wanted.update(new.attributes)
        _want_size(need, message, new.attributes)
        for name in ("min_price", "max_price", "currency"):
            if getattr(new, name) is not None:
                setattr(need, name, getattr(new, name))
        if need.min_price is not None and need.max_price is not None and need.min_price >= need.max_price:
            if new.min_price is None:  # "under 500" after "around 1500": the new bound replaces the band
                need.min_price = None
            elif new.max_price is None:
                need.max_price = None
        if new.brand and new.brand != need.brand:
            need.brand, need.matched_brand = new.brand, None  # a newly named brand is matched afresh
        need.unwanted = list(dict.fromkeys(need.unwanted + without_words(message) + disliked))
        # "not keen on anything too pink": a value ruled out is never one wanted, whatever was tagged
        need.wanted = {k: v for k, v in need.wanted.items() if v.lower() not in need.unwanted}
        person = recipient_for(message)
        if person and person != need.for_whom and "gender" not in new.attributes:
            _for_someone_else(need.wanted, person)
        need.for_whom = person or need.for_whom
        shown = [p for p in on_screen if p.price is not None]
        # a price move sets the bound the customer did not name: "not too pricey, under a tenner" keeps
        # the tenner; "a bit nicer, up to £15" is dearer than what is shown and at most £15
        capped = new.max_price is not None
        if new.price_change == "lower" and shown and not capped:
            need.max_price = round(min(p.price for p in shown) - 0.01, 2)
        elif new.price_change == "higher" and shown and new.min_price is None:
            need.min_price = round(max(p.price for p in shown) + 0.01, 2)
        extra = [w for w in lexical_words(message, SIMILAR_FILLER | set(need.unwanted) | {"without", "not", "no"})
                 if w not in need.query.split()] if parse.intent != "dislike" else []
        need.query = " ".join([need.query, *extra]).strip()
        if need.lexical is not None:
            wanted = [w for v in new.attributes.values() for w in lexical_words(v)]
            wanted += _looks_said(self.kinds(), message, extra)
            need.lexical = " ".join(dict.fromkeys([*need.lexical.split(), *wanted])).strip()
        act = self._show_need(session, need, replies.refined_results, clarify=False, refine=True,
                              category=new.category, exclude=gone)
        if not act.products and new.price_change == "lower" and len(shown) >= 2 and not capped:
            # nothing under the cheapest shown: cheaper than the middle one, the shown ones left out
            middle = sorted(shown, key=lambda p: p.price)[len(shown) // 2]
            need.max_price = round(middle.price - 0.01, 2)
            act = self._show_need(session, need, partial(replies.cheaper_than, middle), clarify=False,
                                  refine=True, exclude={p.id for p in shown})
        if not act.products and new.price_change == "lower" and not capped:
            act.reply = replies.NOTHING_CHEAPER
        return act

    def _more(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """The next products of the same need: nothing already shown for it."""
        state = session.state
        if state.need is None:
            return self._new_search(session, parse, message, kinds)
        act = self._show_need(session, state.need, replies.more_results, clarify=False, refine=True,
                              exclude=set(state.seen), keep_seen=True)
        if not act.products:
            return Act(replies.no_more(state.need.kind), show=False, suggestions=list(replies.NOTHING_FOUND_CHIPS))
        state.page += 1
        return act

    def _show_need(self, session: Session, need: Need, words: Callable, *, clarify: bool, refine: bool = False,
                   exclude: set[str] = frozenset(), price_order: str | None = None, category: str | None = None,
                   keep_seen: bool = False) -> Act:
        """Searches the need, the products of its kind first; words the list with ``words``."""
        state = session.state
        wanted = dict(need.wanted)
        if "gender" not in wanted and need.for_whom in RECIPIENT_GENDER:  # "a top for my gf": a woman's
            wanted["gender"] = RECIPIENT_GENDER[need.for_whom]
        slots = Slots(query=need.query or need.kind, min_price=need.min_price, max_price=need.max_price,
                      currency=need.currency, brand=need.brand, category=category, attributes=wanted)
        keep = SearchFilter(category=need.category, brand=need.matched_brand) if refine else None
        of_kind = (lambda p: self.kinds().of_kind(p, need.kinds)) if need.kinds else None
        found = self._tools(session)[0].search(
            slots, need.query or need.kind or "", session.user_id, session.id, keep, exclude, set(need.unwanted),
            need.gift, need.lexical, price_order, of_kind)
        if of_kind and need.kind and found.kind_hits < KIND_FIRST_LEAST:  # "a lunchbox for work": the kind's words too
            level = self.kinds().level_of(need.kind)  # and, on a categorised store, its own category
            inside = SearchFilter(category=level, brand=keep.brand if keep else None) if level else keep
            again = self._tools(session)[0].search(
                slots.model_copy(update={"query": " ".join([need.query or need.kind, *need.wanted.values()]).strip()}),
                need.kind, session.user_id, session.id, inside, exclude, set(need.unwanted), need.gift,
                " ".join([need.kind, *need.wanted.values()]), price_order, of_kind)  # the words: the kind's own
            if again.kind_hits > found.kind_hits:
                found = again
        state.pending = None
        if refine and of_kind and found.kind_hits == 0 and found.candidates:  # "cheaper" past the cheapest
            return Act(replies.none_of_kind(need.kind), show=False, suggestions=list(replies.NOTHING_FOUND_CHIPS))
        if not found.candidates:
            return Act(replies.nothing_found(slots), show=False, suggestions=list(replies.NOTHING_FOUND_CHIPS))
        if clarify and is_vague(slots, found.categories, found.candidates):
            state.pending = Pending(kind="which_kind", options=found.categories[:3])
            state.need = need
            return Act(replies.which_kind(found.categories[:3]), show=False, suggestions=found.categories[:3])
        need.category, need.matched_brand = found.flt.category, found.flt.brand
        products = [c.product for c in found.candidates]
        state.need, state.focus = need, products[0].id
        state.seen = list(dict.fromkeys((state.seen if keep_seen else []) + [p.id for p in products]))
        if not keep_seen:
            state.page = 0
        reasons = [c.reason for c in found.candidates]
        text = words(products, reasons)
        missing = [v for k, v in need.wanted.items() if k in ("colour", "material", "brand")
                   and not any(carries(p, v) for p in products)]
        if missing and need.kind:  # "anything in red?" and no red one of the kind: say so, show the nearest
            text = replies.none_with(missing, need.kind) + "\n\n" + text
        return Act(text, products, reasons, suggestions=list(replies.RESULTS_CHIPS))

    def _which_kind(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """The customer picked one of the kinds the assistant offered."""
        state = session.state
        options = state.pending.options if state.pending else []
        choice = picked_option(message, options) or (options[0] if options else message)
        need = (state.need or Need()).model_copy(deep=True)
        need.query = f"{need.query} {choice}".strip()
        return self._show_need(session, need, replies.search_results, clarify=False, category=choice)

    # ------------------------------------------------------------------ more like one, picks
    def _similar(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """More like one shown product, with the change asked for; stays with its kind."""
        products = self._products_for(session, parse, 1, message).products
        if not products:
            return self._new_search(session, parse, message, kinds)
        base = products[0]
        need = (session.state.need or Need()).model_copy(deep=True)
        slots, _ = plausible(parse.slots, message)
        change = lexical_words(message, SIMILAR_FILLER)
        need.wanted.update(slots.attributes)
        _want_size(need, message, slots.attributes)
        need.query = " ".join([base.title.lower(), *change])
        need.lexical = None
        if slots.price_change == "lower" and base.price is not None:
            need.max_price = round(base.price - 0.01, 2)
        elif slots.price_change == "higher" and base.price is not None:
            need.min_price = round(base.price + 0.01, 2)
        own = self.kinds().kind_of(base)
        need.kinds, need.kind = ([own], own) if own else (need.kinds, need.kind)
        return self._show_need(session, need, replies.similar_results, clarify=False, refine=True,
                               exclude={base.id})

    def _recommend(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        shopper, recommend = self._tools(session)
        if recommend is None:
            return Act(replies.NO_RECOMMENDER, show=False)
        picks = recommend(session.user_id, shopper.top_k, session.id)
        found = self.lookup([pid for pid, _ in picks])
        products = [found[pid] for pid, _ in picks if pid in found]
        reasons = [reason for pid, reason in picks if pid in found]
        if not products:
            return Act(replies.NOTHING_TO_RECOMMEND, show=False)
        session.state.focus = products[0].id
        return Act(replies.recommendations(products, reasons), products, reasons,
                   suggestions=list(replies.RECOMMEND_CHIPS))

    def _gift_ideas(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """A gift with nothing said about the person yet: the store's best sellers within the
        budget, the recipient's first, one of each kind; and a question about them. A gift
        already in hand keeps who it is for and its budget unless the message names others. A store
        with no sales history to know its best sellers searches the words instead."""
        shopper, recommend = self._tools(session)
        popular = recommend(None, GIFT_POOL, None) if recommend is not None else []
        slots, _ = plausible(parse.slots, message)
        held = session.state.need if session.state.need and session.state.need.gift else Need()
        person = named_recipient(message) or held.for_whom
        held = held if person == held.for_whom else Need()  # the next person's gift has its own budget
        budget = _budget(slots, held)  # "anything under a tenner?": the same gift, in budget
        need = Need(query=message, gift=True, for_whom=person,
                    min_price=budget[0], max_price=budget[1], currency=slots.currency or held.currency)
        gender = RECIPIENT_GENDER.get(person or "")
        found = self.lookup([pid for pid, _ in popular]) if popular else {}
        pool = [Candidate(found[pid], 0.0, reason=reason) for pid, reason in popular if pid in found]
        # what the words say first ("a baby boy": baby gift sets; "our anniversary": jewellery), a few
        # of them, then the best sellers, so a vague message still gets a spread
        about = [w for w in lexical_words(cue("gift").cut(message)) if w not in RECIPIENTS]  # "a baby boy", not "my dad"
        said = shopper.searcher.search(message, SearchFilter(min_price=need.min_price, max_price=need.max_price),
                                       GIFT_SAID * 4) if popular and self.kinds().described(about) else []
        said = gift_picks(said, GIFT_SAID, need.min_price, need.max_price, gender, self.kinds().kind_of)
        picked = gift_picks(said + pool, shopper.top_k, need.min_price, need.max_price, gender, self.kinds().kind_of)
        if not picked:  # no sales to go by: the words are searched (for this gift), and the question still asked
            session.state.need = need
            act = self._new_search(session, parse, message, kinds)
            act.action = act.action or "search"
            if act.products:
                session.state.pending = Pending(kind="interests")
                act.reply += "\n\n" + replies.ask_interests(gender)
            return act
        products, reasons = [c.product for c in picked], [c.reason for c in picked]
        state = session.state
        state.need, state.focus, state.pending, state.page = need, products[0].id, Pending(kind="interests"), 0
        state.seen = [p.id for p in products]
        return Act(replies.gift_starters(products, reasons, gender), products, reasons,
                   suggestions=list(replies.RESULTS_CHIPS))

    # ------------------------------------------------------------------ about what is shown
    def _products_for(self, session: Session, parse: TurnParse, want: int, message: str = "") -> Picked:
        shown, focus = self.shown_products(session), self._focus(session)
        references = list(parse.slots.references)
        priced, _ = priced_ones(message, shown)  # "399 wala": the one at that price
        if priced and len(priced) <= want and not any(r.kind == "position" for r in references):
            return Picked(priced, shown)
        places = cue("placed").spans(message)  # "ok theek hai, pehla wala add kar do": the place, not "theek"
        said = named_words(message)  # "the owl one is adorable": a name the parser may not have tagged
        names = [r for r in references if r.kind == "name"]
        if len(places) == 1 and not any(r.kind == "position" for r in references) \
                and all(resolve(r, shown, None) is None for r in names):
            references = [r for r in references if r.kind != "name"] + [parse_reference(message[slice(*places[0])])]
        elif said and not any(r.kind in ("name", "position") for r in references):
            references.append(Reference(kind="name", text=said))
        parse = parse.model_copy(update={"slots": parse.slots.model_copy(update={"references": references})})
        picked = [resolve(r, shown, focus) for r in references]
        missed = _missed_name(parse, picked)
        picked = [p for p in picked if p is not None]
        if missed:  # "the owl one" not on screen: one of the need's kind that says owl, else never another
            named = self._of_need_named(session, missed)
            if named is not None:
                return Picked([named], shown)
            return Picked(picked, shown, missed if shown else None)
        for p in ([focus] if focus else []) + shown:
            if len(picked) >= want:
                break
            if p.id not in {q.id for q in picked}:
                picked.append(p)
        return Picked(picked, shown)

    def _of_need_named(self, session: Session, words: str) -> Product | None:
        """A product of the current need whose title carries every word of a name: one shown
        earlier in the need, else the first of its kind a search for the words finds."""
        need = session.state.need
        if need is None or not need.kinds:
            return None
        wanted = stems(words)
        def fits(p: Product) -> bool:
            return wanted <= stems(p.title) and self.kinds().of_kind(p, need.kinds)
        seen = self.lookup(session.state.seen) if session.state.seen else {}
        earlier = next((p for pid in session.state.seen if (p := seen.get(pid)) is not None and fits(p)), None)
        if earlier is not None:
            return earlier
        slots = Slots(query=f"{words} {need.kind}", min_price=need.min_price, max_price=need.max_price)
        found = self._tools(session)[0].search(slots, slots.query, session.user_id, session.id,
                                               of_kind=lambda p: self.kinds().of_kind(p, need.kinds))
        return next((c.product for c in found.candidates if fits(c.product)), None)

    def _compare(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        found = self._products_for(session, parse, 2, message)
        if len(found.products) < 2:
            return Act(found.not_shown() or replies.COMPARE_NEEDS_RESULTS, show=False)
        session.state.focus = found.products[-1].id
        return Act(replies.compare_reply(found.products), found.products, show=False,
                   suggestions=list(replies.COMPARE_CHIPS))

    def _question(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """A question about one shown product, answered from its fields; several of it priced."""
        found = self._products_for(session, parse, 1, message)
        if not found.products:
            return Act(found.not_shown() or replies.WHICH_PRODUCT, show=False)
        product = found.products[0]
        session.state.focus = product.id
        count = _how_many(message, parse)
        if count and product.price is not None:
            return Act(replies.price_for(product, count), [product], show=False,
                       suggestions=list(replies.QUESTION_CHIPS), computed=[round(product.price * count, 2)])
        fact = best_fact(message, product, facts_of(product, replies.price_of(product)), self._encode)
        text = replies.answer_question(product, fact)
        others = shown_with(message, [p for p in found.shown if p.id != product.id]) if fact is None else None
        if others:  # "is the second one in pink?": no, but the fifth says pink
            text += replies.also_shown(*others)
        return Act(text, [product, *(others[1] if others else [])], show=False,
                   suggestions=list(replies.QUESTION_CHIPS))

    def _encode(self, texts: list[str]):
        # The warm single-query path (ONNX where it can): a product question must not wait for
        # the batch model to load in a serving process that has only ever encoded queries.
        encode_one = self.shopper.searcher.encoder.prepare_queries()
        return np.stack([encode_one(text) for text in texts])


def _disliked(parse: TurnParse, shown: list[Product], need: Need) -> tuple[list[str], set[str]]:
    """What a dislike rules out: the words it names (a colour, a material, "slogans", "tartan" in
    "the tartan one"), never the need's own kind; and the shown products it points at by place
    ("not mad on the third")."""
    slots = parse.slots
    said = [*slots.attributes.values(), slots.query or ""]
    said += [r.text for r in slots.references if r.kind == "name"]
    own = singulars(f"{need.kind or ''} {need.query}")
    words = [w for text in said for w in lexical_words(text, SIMILAR_FILLER) if not singulars(w) & own]
    pointed = [resolve(r, shown, None) for r in slots.references if r.kind != "name"]
    return words, {p.id for p in pointed if p is not None}


def _want_size(need: Need, message: str, tagged: dict[str, str]) -> None:
    """A size move ("bigger"), or a measure the parser left untagged ("1 litre": a 1000 ml bottle)."""
    size = size_change(message) or (measure_said(message) if "size" not in tagged else None)
    if size:
        need.wanted["size"] = size


def _looks_said(index: KindIndex, message: str, words: list[str]) -> list[str]:
    """Of a refinement's words, those the store's titles use, said for and not against ("digital
    is easier for her to read": digital; "pink is a bit much, maybe blue": not pink)."""
    liked = {w.lower() for clause in clauses(without_avoided(message)) if not cue("objects").found(clause)
             for w in lexical_words(clause)}
    return [w.lower() for w in index.described([w for w in words if w.lower() in liked]) if stem(w) not in RECIPIENTS]


def _budget(slots: Slots, held: Need) -> tuple[float | None, float | None]:
    """The budget the message names, else the one the need in hand had."""
    if slots.min_price or slots.max_price:
        return slots.min_price, slots.max_price
    return held.min_price, held.max_price


def _how_many(message: str, parse: TurnParse) -> int | None:
    match = cue("how_many").search(message)
    if not match:
        return None
    said = match.group(1).lower()
    count = int(said) if said.isdigit() else WORD_NUMBERS.get(said)
    return count if count and count > 1 else None




_CHILD_YEARS = 12  # older than this, grown-ups' sizes fit as often as children's


def _for_a_child(wanted: dict[str, str], message: str) -> None:
    """A child's age said ("cricket gloves for 10 yr old", "size 5 to 6 years") makes the need a
    child's, unless a child's sex is already wanted ("girls"): a grown-up's would be wrong. Years
    that are no age ("married 10 years", "a 2 year warranty") say nothing."""
    found = cue("child_age_said").search(message)
    age = int(next(g for g in found.groups() if g)) if found else None
    said = wanted.get("gender", "").lower()
    if age is not None and age <= _CHILD_YEARS and not any(w in said for w in ("kid", "child", "boy", "girl", "baby")):
        wanted["gender"] = "kids"


def _same_shopper(held: Need, person: str | None, message: str) -> bool:
    """A new need for whoever the last was for: nobody named in either ("mens obv lol" for the
    track pants, then "also running shoes"), and "for me" only after a need said for "me" too
    ("kurtas for women", then "a watch for me", may be for someone else)."""
    return person is None and held.for_whom is None \
        and (not cue("for_me").found(message) or cue("for_me").found(held.query))


def _for_someone_else(wanted: dict[str, str], person: str) -> None:
    """A sex said of someone else ("women's" for her boots) gives way to the one the person named
    has (papa: a man's), agrees with it when the same ("for my mom" after "watches for women"), and
    is dropped when the person's is not known."""
    theirs, said = RECIPIENT_GENDER.get(person), wanted.get("gender")
    if said is None:
        return
    if theirs is None:
        wanted.pop("gender")
    elif _sex(theirs) != _sex(said):
        wanted["gender"] = theirs


def _sex(gender: str) -> str | None:
    words = set(re.findall(r"[a-z]+", gender.lower()))
    return "f" if words & {"women", "woman", "womens", "female", "girl", "girls", "ladies", "lady"} else \
        "m" if words & {"men", "man", "mens", "male", "boy", "boys", "gents", "bloke", "lad"} else None


_LOOK_WORDS = COLOURS | MATERIALS | GENDERS | SIZE_WORDS  # "pink dikhaiye": how it looks, then a word asking


def _shares_root(word: str, words: Iterable[str]) -> bool:
    """A word said in another form by one of ``words`` ("clothes": a Clothing category, "heater":
    HEATED), or made from one ("kitchenware": KITCHEN)."""
    return any(len(os.path.commonprefix([word, w])) >= max(5, len(word) - 3) or (len(w) >= 4 and word.startswith(w))
               for w in words)


def _misspelt(word: str, titled: list[str]) -> bool:
    """A word one of the titles spells nearly the same from the start ("neckless": NECKLACE,
    "lipstic": LIPSTICK): a typo of a thing sold, not a thing the shop lacks ("diapers": PAPERS)."""
    return any(t[:2] == word[:2] and SequenceMatcher(None, word, t).ratio() >= MISSPELT for t in titled)


def _missed_name(parse: TurnParse, picked: list[Product | None]) -> str | None:
    """The words of a reference by name ("the blue one") that matched no shown product;
    "the one with the best battery" compares the shown ones, it names none."""
    for ref, product in zip(parse.slots.references, picked):
        if product is None and ref.kind == "name" and lexical_words(ref.text) and not cue("superlative").found(ref.text):
            return " ".join(lexical_words(ref.text))
    return None


def _thing_asked(index: KindIndex, message: str, kinds: list[str], sought: Sequence[str] = ()) -> list[str]:
    """The kinds a new need is for: those inside the products the parser read as sought, when
    it left some out ("looking for a doorstop, the back door keeps slamming"), else those named
    after the last asking verb ("having a garden party and need bunting"; "i need tea towels, an
    apron"), else the first named ("jewellery box maybe, she leaves rings everywhere"; "trainers
    for the gym" never names the gym)."""
    if len(kinds) > 1 and sought:  # the parser's words leave some out: those are not sought
        inside = [k for phrase in sought for k in index.named(phrase) if k in kinds]
        if inside and len(inside) < len(kinds):
            return index.narrowest(inside)
    asked = cue("wants").spans(message)
    if asked and len(kinds) > 1:
        after = [k for k in index.named(message[asked[-1][1]:]) if k in kinds]
        if after:
            return index.narrowest(after)
    return index.narrowest(kinds)[:1]
