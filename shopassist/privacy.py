"""PII redaction for what is kept: transcripts at rest and log lines.

Emails, phone numbers, payment-card-like numbers (Luhn-valid, 13–19 digits), street addresses
and UK postcodes become ``[email]``, ``[phone]``, ``[card]``, ``[address]``, ``[postcode]``.
Order and invoice numbers (up to 8 digits), prices and quantities are left alone: support
needs them and they identify no one by themselves.
"""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT_RUN = re.compile(r"(?<![\w.,])\+?\d[\d \t().-]{7,}\d(?![\w]|[.,]\d)")
_STREET = (r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|place|pl|crescent|terrace|"
           r"boulevard|blvd|square|sq|gardens|grove|hill|park|row|walk")
_ADDRESS = re.compile(rf"\b\d{{1,5}}[a-z]?,?\s+(?:[A-Za-z'-]+\s+){{1,4}}(?:{_STREET})\b\.?", re.I)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


def _luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _number(match: re.Match) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if 13 <= len(digits) <= 19 and _luhn(digits):
        return "[card]"
    if 9 <= len(digits) <= 15:
        return "[phone]"
    return text


def redact(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _DIGIT_RUN.sub(_number, text)
    text = _ADDRESS.sub("[address]", text)
    return _POSTCODE.sub("[postcode]", text)


class RedactingFilter(logging.Filter):
    """Redacts a record's message (with its arguments merged in) before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def redact_logs(logger: logging.Logger | None = None) -> None:
    """Attach the filter to every handler of ``logger`` (root by default; given a default
    stderr handler first if it has none)."""
    target = logger or logging.getLogger()
    if not target.handlers:
        logging.basicConfig(level=logging.WARNING)
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
