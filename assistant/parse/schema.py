"""The turn parse: what the parser says a customer message means.

Intents and span types are closed sets, so a parse is valid by construction: the parser
picks one label per head and the slots are built from tagged spans by ``normalise``.
``TurnParse.json_schema()`` documents the JSON every parse serialises to.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SHOPPER_INTENTS = (
    "search", "refine", "compare", "product_question", "recommend_for_me", "add_to_cart",
    "greeting", "thanks", "out_of_scope",
    "similar", "view_cart", "remove_from_cart", "gift_help",
    # conversational acts: what a turn does in its conversation, read with the state before it
    "chitchat", "more", "deals", "affirm", "deny", "praise", "dislike",
)
# The 27 support intents of the Bitext customer-service set (contact_human_agent among them),
# then two of our own that real customers ask for and Bitext does not label.
SUPPORT_INTENTS = (
    "cancel_order", "change_order", "change_shipping_address", "check_cancellation_fee",
    "check_invoice", "check_payment_methods", "check_refund_policy", "complaint",
    "contact_customer_service", "contact_human_agent", "create_account", "delete_account",
    "delivery_options", "delivery_period", "edit_account", "get_invoice", "get_refund",
    "newsletter_subscription", "payment_issue", "place_order", "recover_password",
    "registration_problems", "review", "set_up_shipping_address", "switch_account",
    "track_order", "track_refund",
    "return_item", "order_history",  # ours: returning a named item, and "what did I order"
)
INTENTS = SHOPPER_INTENTS + SUPPORT_INTENTS
TALK_INTENTS = ("greeting", "thanks", "chitchat", "deny", "out_of_scope")  # turns that ask for nothing the shop sells

# Span types the tagger marks in a message; ``normalise`` turns spans into slots.
SHOPPER_SPANS = (
    "query", "category", "brand", "colour", "size", "material", "gender",
    "min_price", "max_price", "price", "quantity", "reference", "price_change",
)
SUPPORT_SPANS = (
    "order_id", "invoice_id", "account_type", "person_name", "delivery_city",
    "delivery_country", "refund_amount",
)
SPAN_TYPES = SHOPPER_SPANS + SUPPORT_SPANS
ATTRIBUTE_SPANS = ("colour", "size", "material", "gender")
TAGS = ("O",) + tuple(f"{p}-{t}" for t in SPAN_TYPES for p in ("B", "I"))

Intent = Literal[INTENTS]  # type: ignore[valid-type]


class Span(BaseModel):
    """A tagged stretch of the message: ``text == message[start:end]``."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    type: Literal[SPAN_TYPES]  # type: ignore[valid-type]
    text: str


class Reference(BaseModel):
    """A pointer at products shown earlier: by position (0-based, -1 = last), the one in
    focus ("it"), the cheapest / most expensive, or by name."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["position", "current", "cheapest", "priciest", "name"]
    index: int | None = None
    text: str = ""


class Slots(BaseModel):
    """Everything a turn can pin down. Unset fields are None / empty."""

    model_config = ConfigDict(extra="forbid")

    query: str | None = None
    category: str | None = None
    min_price: float | None = Field(default=None, ge=0)
    max_price: float | None = Field(default=None, ge=0)
    currency: str | None = None
    brand: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    quantity: int | None = Field(default=None, ge=1)
    references: list[Reference] = Field(default_factory=list)
    price_change: Literal["lower", "higher"] | None = None
    order_id: str | None = None
    invoice_id: str | None = None
    account_type: str | None = None
    person_name: str | None = None
    delivery_city: str | None = None
    delivery_country: str | None = None
    refund_amount: float | None = Field(default=None, ge=0)

    def compact(self) -> dict:
        """The set slots only, as JSON-ready values."""
        return self.model_dump(mode="json", exclude_defaults=True)


class TurnParse(BaseModel):
    """Intent + slots of one customer message, with the parser's intent confidence."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent
    slots: Slots = Field(default_factory=Slots)
    confidence: float = Field(default=1.0, ge=0, le=1)
    runner_up: str | None = None  # the model's second choice of intent, for the engine's doubt rules
    support_share: float | None = None  # the model's probability that the message is support at all
    talk_share: float | None = None  # ... and that it is talk: a greeting, thanks, chit-chat, a no, off topic
    spans: list[Span] = Field(default_factory=list)
    by: Literal["model", "rules"] = "model"  # "rules": the model was down, slow or busy (``GuardedParser``)

    def is_support_by(self) -> float:
        """How sure the parser is that the message is a support matter: the probability summed
        over every support intent (a support message spreads it over close neighbours)."""
        return self._share(self.support_share, SUPPORT_INTENTS)

    def is_talk_by(self) -> float:
        """How sure the parser is that the message is talk, summed over the talk intents."""
        return self._share(self.talk_share, TALK_INTENTS)

    def _share(self, share: float | None, group: tuple[str, ...]) -> float:
        # without the model's distribution (the rule parse, a hand-made parse), the intent's own confidence
        if share is not None:
            return share
        return self.confidence if self.intent in group else 0.0

    def to_json(self) -> dict:
        return {"intent": self.intent, "slots": self.slots.compact(), "by": self.by}

    @classmethod
    def json_schema(cls) -> dict:
        return cls.model_json_schema()
