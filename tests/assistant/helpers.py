"""Small builders shared by the assistant tests."""

from assistant.parse.schema import Span


def spans(text: str, *parts: tuple[str, str]) -> list[Span]:
    """``Span``s for ``(type, value)`` pairs, each at the first place ``value`` occurs in ``text``."""
    out = []
    for kind, value in parts:
        start = text.index(value)
        out.append(Span(start=start, end=start + len(value), type=kind, text=value))
    return out
