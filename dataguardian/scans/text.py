"""Text made to fit where the scans app stores it: a database column, a JSON list, a page cell."""

from __future__ import annotations


def cut(value: str | None, limit: int) -> str:
    """``value`` in at most ``limit`` characters, "…" marking a cut; None as "".

    NUL (which PostgreSQL refuses in text and JSON) becomes U+FFFD.
    """
    if not value:
        return ""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    return value if len(value) <= limit else value[: limit - 1] + "…"
