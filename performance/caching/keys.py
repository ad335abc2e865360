"""Turning caller keys (a string or a tuple of simple values) into cache keys."""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import quote

SIMPLE_TYPES = (str, int, float, bool, uuid.UUID, type(None))
# Redis accepts long keys, but every byte is paid for in memory and on the wire.
MAX_KEY_LENGTH = 200

CacheKey = str | tuple


def encode_key(key: CacheKey) -> str:
    """Return the canonical text of ``key``.

    Parts are percent-quoted and joined with ``:`` so that ``("a:b",)`` and
    ``("a", "b")`` cannot collide; over-long keys are replaced by a digest.
    """
    parts = key if isinstance(key, tuple) else (key,)
    if not parts:
        raise TypeError("a cache key must not be an empty tuple")
    for part in parts:
        if not isinstance(part, SIMPLE_TYPES):
            raise TypeError(
                f"cache key parts must be str, int, float, bool, UUID or None, not {type(part).__name__}"
            )
    text = ":".join(quote(str(part), safe="") for part in parts)
    if len(text) > MAX_KEY_LENGTH:
        text = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return text
