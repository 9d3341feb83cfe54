"""The store's policies in its own words (settings ``store_delivery``, ``store_returns``,
``store_payment``, ``store_deals``): the assistant quotes them when asked, and so does the MCP
tool ``store_policies``. A policy the store has not written is said to be unknown, never guessed."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Support intents answered by a policy, and which one answers each.
POLICY_OF_INTENT = {"delivery_period": "delivery", "delivery_options": "delivery",
                    "check_refund_policy": "returns", "check_payment_methods": "payment"}


@dataclass(frozen=True)
class StorePolicies:
    delivery: str | None = None
    returns: str | None = None
    payment: str | None = None
    deals: str | None = None

    @classmethod
    def from_settings(cls, settings) -> StorePolicies:
        return cls(settings.store_delivery, settings.store_returns, settings.store_payment, settings.store_deals)

    def for_intent(self, intent: str) -> str | None:
        """The policy text that answers a support intent, or None (unknown, or not a policy question)."""
        topic = POLICY_OF_INTENT.get(intent)
        return getattr(self, topic) if topic else None

    def to_json(self) -> dict[str, str | None]:
        return asdict(self)
