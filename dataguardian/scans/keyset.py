"""Keyset ("seek") pagination over two ordering keys, without any COUNT.

A page is fetched as ``size + 1`` rows after (or before) a cursor; the extra
row only says whether there is a further page. The cost of a page is the same
on page 1 and on page 10 000, and for 100 rows or 100 million, as long as an
index matches the ordering.

A cursor is the text ``"<first key>_<second key>"`` of the boundary row; each
key is an integer (datetimes travel as microseconds since the epoch).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Key:
    """One ordering key: the field, its direction, and how it travels in a cursor."""

    field: str
    descending: bool
    to_int: Callable[[Any], int] = int
    from_int: Callable[[int], Any] = int


def datetime_key(name: str, descending: bool) -> Key:
    return Key(
        name,
        descending,
        to_int=lambda value: (value - EPOCH) // timedelta(microseconds=1),
        from_int=lambda number: EPOCH + timedelta(microseconds=number),
    )


@dataclass
class Page:
    """One page of rows plus the cursors of its neighbours (None at an end)."""

    items: list = field(default_factory=list)
    next_cursor: str | None = None
    prev_cursor: str | None = None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)


def parse_cursor(text: str | None, keys: Sequence[Key]) -> tuple | None:
    """The key values in ``text``, or None when it is absent or malformed."""
    if not text:
        return None
    parts = text.split("_")
    if len(parts) != len(keys):
        return None
    try:
        numbers = [int(part) for part in parts]
        return tuple(key.from_int(number) for key, number in zip(keys, numbers, strict=True))
    except (ValueError, OverflowError):
        return None


def make_cursor(row: Any, keys: Sequence[Key]) -> str:
    return "_".join(str(key.to_int(getattr(row, key.field))) for key in keys)


def _lookup(key: Key, forward: bool) -> str:
    later = key.descending == forward  # descending & forward: smaller values come later
    return f"{key.field}__{'lt' if later else 'gt'}"


def _beyond(keys: Sequence[Key], values: tuple, forward: bool) -> Q:
    """Rows strictly after ``values`` in the ordering (before, when not ``forward``)."""
    first, second = keys
    # The redundant outer bound (first key up to and including the boundary)
    # lets the database seek into an index instead of filtering from the start.
    inclusive = _lookup(first, forward) + "e"  # lt -> lte, gt -> gte
    return Q(**{inclusive: values[0]}) & (
        Q(**{_lookup(first, forward): values[0]})
        | Q(**{first.field: values[0], _lookup(second, forward): values[1]})
    )


def _rows_beyond(queryset: QuerySet, keys: Sequence[Key], values: tuple, forward: bool,
                 limit: int) -> list:
    """The first ``limit`` rows beyond the boundary, in the page's order.

    Where the database can order and limit each side of a UNION (PostgreSQL),
    the rest of the boundary's group and the following groups are two index
    seeks; keys of mixed directions cannot be one row-value comparison, and
    the plain OR would filter every row of a large group before the cursor.
    """
    first, second = keys
    ordering = _ordering(keys, forward)
    if not connections[queryset.db].features.supports_slicing_ordering_in_compound:
        return list(queryset.filter(_beyond(keys, values, forward)).order_by(*ordering)[:limit])
    same_group = queryset.filter(**{first.field: values[0], _lookup(second, forward): values[1]})
    next_groups = queryset.filter(**{_lookup(first, forward): values[0]})
    both = same_group.order_by(*ordering)[:limit].union(next_groups.order_by(*ordering)[:limit], all=True)
    return list(both.order_by(*ordering)[:limit])


def _ordering(keys: Sequence[Key], forward: bool) -> list[str]:
    return [("-" if key.descending == forward else "") + key.field for key in keys]


def paginate(
    queryset: QuerySet, keys: Sequence[Key], *, after: str | None = None,
    before: str | None = None, size: int = 50,
) -> Page:
    """The page after cursor ``after`` (or before ``before``); the first page without either."""
    if len(keys) != 2:
        raise ValueError("keyset pagination here takes exactly two keys")
    forward = True
    boundary = parse_cursor(after, keys)
    if boundary is None:
        boundary = parse_cursor(before, keys)
        forward = boundary is None
    if boundary is None:
        rows = list(queryset.order_by(*_ordering(keys, forward))[: size + 1])
    else:
        rows = _rows_beyond(queryset, keys, boundary, forward, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    page = Page(items=rows)
    if rows:
        if forward:
            page.next_cursor = make_cursor(rows[-1], keys) if more else None
            page.prev_cursor = make_cursor(rows[0], keys) if boundary is not None else None
        else:
            page.prev_cursor = make_cursor(rows[0], keys) if more else None
            page.next_cursor = make_cursor(rows[-1], keys)
    return page
