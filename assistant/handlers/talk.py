"""Handlers that answer without a product list: small talk, deals, support, a person."""

from __future__ import annotations

from assistant import replies
from assistant.cues import cue
from assistant.grounding import amounts_in
from assistant.handlers.base import Act
from assistant.parse.schema import TurnParse
from assistant.session import Session


class TalkHandlers:
    def _chat(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """Small talk, a reaction, waiting, a no to an offer: a short answer, and the need kept."""
        state = session.state
        declined = state.pending is not None and state.pending.kind == "offer_add"
        state.pending = None
        if parse.intent == "greeting" and state.need is None:
            return Act(replies.greeting(), show=False, suggestions=list(replies.GREETING_CHIPS))
        if cue("goodbye").found(message):
            return Act(replies.GOODBYE, show=False)
        if parse.intent == "thanks" and not declined:
            return Act(replies.thanks(), show=False)
        kind = state.need.kind if state.need else None
        return Act(replies.small_talk(kind, declined, bool(state.shown)), show=False,
                   suggestions=list(replies.MORE_CHIPS if state.shown else replies.GREETING_CHIPS))

    def _nothing_shown(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        return Act(replies.nothing_shown(parse.intent), show=False, suggestions=list(replies.GREETING_CHIPS))

    def _out_of_scope(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        return Act(replies.out_of_scope(), show=False)

    def _deals(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """Discounts, sales, codes: the store's own policy, or an honest no."""
        # the store's own figures ("£5 off over £50") are records the reply may state
        return Act(replies.deals(self.deals_policy), show=False, suggestions=list(replies.PERSON_CHIPS),
                   computed=amounts_in(self.deals_policy or ""))

    def _handoff(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        session.handoff, session.handoff_reason = True, message[:200]
        return Act(replies.handoff(), show=False)

    def _support(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        intent = parse.intent
        if intent == "return_item":
            return self._return_item(session, parse, message)
        if intent == "order_history":
            if not session.user_id:
                return Act(replies.SIGN_IN_FOR_ORDERS, show=False)
            recent = self.support.orders.recent(session.user_id, limit=3)
            return Act(replies.order_history(recent), orders=recent, show=False)
        key = f"{session.id}:{len(session.messages)}"
        opener, facts, orders = self.support.answer(intent, parse.slots, message, session.user_id, key)
        return Act(replies.support_reply(opener, facts), orders=orders, show=False,
                   suggestions=list(replies.PERSON_CHIPS),
                   computed=amounts_in(self.support.policies.for_intent(intent) or ""))

    def _return_item(self, session: Session, parse: TurnParse, message: str) -> Act:
        """A return of a named item (or the one in focus): the customer's own order line that
        holds it, or a plain "no order of yours has it", never some other order."""
        focus = self._focus(session) if any(r.kind != "name" for r in parse.slots.references) else None
        facts, orders = self.support.return_facts(parse.slots, message, session.user_id, focus.id if focus else None)
        return Act(replies.support_reply(replies.SHOP_OPENERS["return_item"], facts), orders=orders, show=False,
                   suggestions=list(replies.RETURN_CHIPS))
