"""Store failures: ``engine_call`` wraps every call into the vector store, so a remote engine
(e.g. a Qdrant server) that cannot be reached raises ``SearchUnavailable``; the engine answers
with a plain sentence (``replies.SEARCH_DOWN``) and keeps the session. The wording lives in
``replies``; this module only classifies the failure."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from shopassist.errors import ShopAssistError

log = logging.getLogger(__name__)


class SearchUnavailable(ShopAssistError):
    """The product search engine cannot be reached right now."""


@contextmanager
def engine_call():
    """Around a call into the vector store: our own errors pass through, anything else (a
    remote engine down or timing out) becomes ``SearchUnavailable`` so the turn degrades."""
    try:
        yield
    except ShopAssistError:
        raise
    except Exception as exc:
        log.warning("product search failed: %s", exc)
        raise SearchUnavailable("Sorry, product search is unavailable right now. Please try again in a minute.") from exc
