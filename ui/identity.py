"""Who the customer is. Without a ``customer_secret`` setting (the demo), the widget trusts
the customer id it is given. With one, the shop signs the id it has authenticated
(``sign``; the page passes ``?customer=ID.SIGNATURE``) and an unsigned or forged id is served as
a guest: nobody sees another customer's orders by typing their number."""

from __future__ import annotations

import hashlib
import hmac


def sign(customer_id: str, secret: str) -> str:
    """The token a shop puts in the widget URL for a signed-in customer."""
    digest = hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{customer_id}.{digest}"


def verify(token: str, secret: str) -> str | None:
    customer_id, _, _ = token.rpartition(".")
    return customer_id if customer_id and hmac.compare_digest(sign(customer_id, secret), token) else None


class Identity:
    def __init__(self, secret: str | None = None):
        self.secret = secret

    @property
    def signed(self) -> bool:
        return bool(self.secret)

    def customer(self, claimed: str | None) -> str | None:
        claimed = (claimed or "").strip()
        if not claimed:
            return None
        return verify(claimed, self.secret) if self.secret else claimed
