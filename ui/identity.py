"""Who the customer is. Without a ``customer_secret`` setting (the demo), the widget trusts
the customer id it is given. With one, the shop signs the id it has authenticated, with an
expiry (``sign``; the page passes ``?customer=ID.EXPIRY.SIGNATURE``), and an unsigned, forged or
expired id is served as a guest: nobody sees another customer's orders by typing their number.
Production mode requires a secret."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

MAX_CUSTOMER_ID = 64
DEFAULT_LINK_TTL_S = 24 * 3600
# Printable, no spaces or markup, any script: "17850", "cust-9", "josé.m" (the widget shows it)
_CUSTOMER_ID = re.compile(r"[^\s<>`\\\[\](){}*_|#!]{1,%d}" % MAX_CUSTOMER_ID)


def valid_customer_id(value: str) -> bool:
    return _CUSTOMER_ID.fullmatch(value) is not None and value.isprintable()


def _digest(customer_id: str, expires: int, secret: str) -> str:
    message = f"{customer_id}.{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def sign(customer_id: str, secret: str, ttl_s: float = DEFAULT_LINK_TTL_S, now: float | None = None) -> str:
    """The token a shop puts in the widget URL for a signed-in customer; valid ``ttl_s``."""
    expires = int((time.time() if now is None else now) + ttl_s)
    return f"{customer_id}.{expires}.{_digest(customer_id, expires, secret)}"


def verify(token: str, secret: str, now: float | None = None) -> str | None:
    """The customer id a valid, unexpired token names; None otherwise."""
    parts = token.rsplit(".", 2)
    if len(parts) != 3 or not (parts[1].isascii() and parts[1].isdigit()):  # "²" is a digit int() refuses
        return None
    customer_id, expires, digest = parts[0], int(parts[1]), parts[2]
    if not customer_id or not hmac.compare_digest(_digest(customer_id, expires, secret), digest):
        return None
    return customer_id if (time.time() if now is None else now) < expires else None


class Identity:
    def __init__(self, secret: str | None = None):
        self.secret = secret

    @property
    def signed(self) -> bool:
        return bool(self.secret)

    def customer(self, claimed: str | None) -> str | None:
        """The verified customer id, or None (a guest). Without a secret the claim is trusted
        if it is a plausible id; anything else is a guest."""
        claimed = (claimed or "").strip()
        if not claimed or len(claimed) > MAX_CUSTOMER_ID + 64:
            return None
        customer = verify(claimed, self.secret) if self.secret else claimed
        return customer if customer and valid_customer_id(customer) else None
