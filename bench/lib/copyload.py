"""Bulk-load generated rows into a model's table with COPY, with a progress bar.

Columns not given by the generator are filled from the model field's
default (or NULL), so the loader keeps working when a model gains a column.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.db import connection

NULL = r"\N"


def _text(value) -> str:
    """One value in COPY text format (our generated values never contain tabs or newlines)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        return json.dumps(value).replace("\\", "\\\\")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, total, 0
        self.start = time.monotonic()
        self._shown = -1

    def advance(self, n: int) -> None:
        self.done += n
        pct = int(100 * self.done / self.total) if self.total else 100
        if pct != self._shown:
            self._shown = pct
            bar = "#" * (pct // 4) + "." * (25 - pct // 4)
            rate = self.done / max(time.monotonic() - self.start, 1e-6)
            sys.stderr.write(f"\r{self.label:<12} [{bar}] {pct:3d}% {self.done:>9,}/{self.total:,} "
                             f"({rate:,.0f} rows/s)")
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")


def copy_rows(model, columns: list[str], rows: Iterator[tuple], total: int,
              batch: int = 20_000, label: str | None = None, table: str | None = None) -> None:
    """COPY ``rows`` (tuples matching ``columns``) into ``model``'s table (or ``table``, shaped like it)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.column for f in fields]
    given = {c: i for i, c in enumerate(columns)}
    fillers: list[Callable[[tuple], str]] = []
    for field in fields:
        if field.column in given:
            index = given[field.column]
            fillers.append(lambda row, i=index: _text(row[i]))
        else:
            constant = _text(field.get_default() if field.has_default() or not field.null else None)
            fillers.append(lambda row, c=constant: c)
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table or model._meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    progress = Progress(label or model._meta.model_name, total)
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        lines: list[str] = []
        for row in rows:
            lines.append("\t".join(fill(row) for fill in fillers))
            if len(lines) >= batch:
                copy.write(("\n".join(lines) + "\n").encode())
                progress.advance(len(lines))
                lines = []
        if lines:
            copy.write(("\n".join(lines) + "\n").encode())
            progress.advance(len(lines))
    progress.close()
