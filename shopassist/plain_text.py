"""Text that crosses a trust boundary as data: catalogue text going to agents, feeds and pages,
figures going to spreadsheets. Which characters hide or break text, which links may be
followed, which cells a spreadsheet would run. One place, so a page, a feed and an agent's
result follow the same rules."""

from __future__ import annotations

import re

# Format characters that reorder how text is displayed (embeddings, overrides, isolates) and
# the byte-order mark: invisible, and used to make a title read differently from what it is.
HIDDEN_FORMAT = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")
# Characters no value may hold: C0 and C1 controls, line and paragraph separators (both end a
# line for ``str.splitlines()`` and JSON-in-JavaScript), the hidden format characters.
UNSAFE_CLASS = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
_HTTP_URL = re.compile(rf"https?://[^\s/?#{UNSAFE_CLASS}]+[^\s{UNSAFE_CLASS}]*")
URL_MAX = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet runs a cell that starts with


def http_url(value: str | None) -> str | None:
    """``value`` when it is one absolute http(s) URL (no ``javascript:``, ``data:``, spaces or
    hidden characters), else None."""
    if not value:
        return None
    url = value.strip()
    return url if len(url) <= URL_MAX and _HTTP_URL.fullmatch(url) else None


def safe_cell(value):
    """A cell a spreadsheet will not run: text that starts like a formula gets a leading quote."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value
