"""Normalise SQL into a fingerprint: the same query shape, whatever its values.

``fingerprint()`` strips comments and literals (strings, numbers, bound
placeholders become ``?``), collapses ``IN (?, ?, ...)`` / ``ARRAY[...]``
lists and multi-row ``VALUES`` to one element, and squeezes whitespace.
Django's own SQL carries its values as parameters, so most queries are
already literal-free; the cache makes repeated shapes cost one dict lookup.

``mask_example()`` keeps the query's full shape for a human to read but
never a value: inline literals become ``?`` and bound parameters are listed
by type only. ``mask_plan()`` does the same for EXPLAIN output, which
PostgreSQL prints with the values substituted.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_STRINGS = re.compile(r"(?:\b[EeBbXxNn])?'(?:[^']|'')*'")
_DOLLAR_STRINGS = re.compile(r"\$(\w*)\$.*?\$\1\$", re.S)
_PLACEHOLDERS = re.compile(r"%\(\w+\)s|%s|\$\d+")
# A number that is not part of an identifier ("t1", "col_2") or a quoted name.
_NUMBERS = re.compile(r"(?<![\w$\"])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w\"])")
_BOOLEANS = re.compile(r"\b(?:true|false|null)\b", re.I)
_IN_LIST = re.compile(r"\bIN\s*\(\s*\?(?:\s*,\s*\?)*\s*\)", re.I)
_ARRAY = re.compile(r"\bARRAY\s*\[\s*\?(?:\s*,\s*\?)*\s*\]", re.I)
# Each part of a tuple must consume something, so a long list cannot make
# the regex engine backtrack through every way of splitting it.
_TUPLE_PATTERN = r"\(\s*\?(?:\s*,\s*\?)*\s*\)"
_VALUES = re.compile(rf"\bVALUES\s*({_TUPLE_PATTERN})(?:\s*,\s*{_TUPLE_PATTERN})+", re.I)
_TUPLE = re.compile(_TUPLE_PATTERN)
_SPACES = re.compile(r"\s+")

MAX_EXAMPLE = 4000


def _strip_literals(sql: str) -> str:
    sql = _COMMENTS.sub(" ", sql)
    sql = _DOLLAR_STRINGS.sub("?", sql)
    sql = _STRINGS.sub("?", sql)
    sql = _PLACEHOLDERS.sub("?", sql)
    return _NUMBERS.sub("?", sql)


@lru_cache(maxsize=4096)
def fingerprint(sql: str) -> str:
    """The normalised shape of ``sql`` (cached: the same text costs a lookup)."""
    shape = _strip_literals(sql)
    shape = _BOOLEANS.sub("?", shape)
    shape = _IN_LIST.sub("IN (?...)", shape)
    shape = _ARRAY.sub("ARRAY[?...]", shape)
    shape = _VALUES.sub(lambda m: "VALUES " + _TUPLE.sub("(?...)", m.group(1)) + ", ...", shape)
    return _SPACES.sub(" ", shape).strip()


def fingerprint_hash(shape: str) -> str:
    """A short stable key for a fingerprint (32 hex characters)."""
    return hashlib.blake2b(shape.encode(), digest_size=16).hexdigest()


def _param_types(params) -> str:
    if params is None:
        return ""
    if isinstance(params, dict):
        values = list(params.values())
    else:
        try:
            values = list(params)
        except TypeError:
            values = [params]
    if values and all(isinstance(v, (list, tuple)) for v in values):
        rows = len(values)
        values = list(values[0])
        suffix = f" x{rows} rows"
    else:
        suffix = ""
    shown = ", ".join(type(v).__name__ for v in values[:20])
    more = f", ... ({len(values)} in all)" if len(values) > 20 else ""
    return f"  -- params: {shown}{more}{suffix}"


def mask_example(sql: str, params=None) -> str:
    """``sql`` with every inline value as ``?`` and its parameters by type only."""
    masked = _SPACES.sub(" ", _strip_literals(sql)).strip()
    return (masked + _param_types(params))[:MAX_EXAMPLE]


_PLAN_CONDITION = re.compile(r"((?:Cond|Filter|Key|Sort Key|Group Key|Output):.*)$", re.M)


def mask_plan(plan: str) -> str:
    """EXPLAIN text with quoted values masked, and numbers in its conditions too.

    Costs and row estimates stay; ``Filter: (id = 42)`` becomes ``(id = ?)``.
    """
    plan = _STRINGS.sub("'?'", plan)
    return _PLAN_CONDITION.sub(lambda m: _NUMBERS.sub("?", m.group(1)), plan)
