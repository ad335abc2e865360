"""JSON and XML/HTML: the values inside, without the syntax around them.

JSON is parsed whole (callers send only files under a size cap here; larger
ones are read as plain text) and walked: every scalar becomes a Segment with
its key as ``header`` and its JSON path (``$.customers[3].email``) as
``cell``. Markup is fed in pieces to the standard library's forgiving HTML
parser, which also reads XML: text content and attribute values become
Segments at their line and column; no entity or DTD is ever resolved.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any, BinaryIO

from dataguardian.scanner.types import Segment, SourceError

READ_BYTES = 1024 * 1024


def iter_json(data: bytes, path: str, encoding: str) -> Iterator[Segment | SourceError]:
    """Walk a JSON document (or JSON Lines) and yield one Segment per scalar."""
    text = codecs.decode(data, encoding, errors="replace")
    try:
        documents = [json.loads(text)]
    except json.JSONDecodeError as exc:
        documents = _json_lines(text)
        if documents is None:
            yield SourceError(path, f"invalid JSON at line {exc.lineno}: {exc.msg}")
            return
    for index, document in enumerate(documents):
        root = "$" if len(documents) == 1 else f"$[{index}]"
        yield from _walk(document, root, None, path)


def _json_lines(text: str) -> list[Any] | None:
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError:
        return None


def _walk(value: Any, where: str, key: str | None, path: str) -> Iterator[Segment]:
    stack: list[tuple[Any, str, str | None]] = [(value, where, key)]
    while stack:
        node, where, key = stack.pop()
        if isinstance(node, dict):
            items = [(v, f"{where}.{k}" if _plain(k) else f"{where}[{json.dumps(k)}]", k)
                     for k, v in node.items()]
            stack.extend(reversed(items))
        elif isinstance(node, list):
            stack.extend(reversed([(v, f"{where}[{i}]", key) for i, v in enumerate(node)]))
        elif node is not None and not isinstance(node, bool):
            text = str(node)
            if text.strip():
                yield Segment(text=text, path=path, base_line=None, header=key, cell=where)


def _plain(key: str) -> bool:
    return key.isidentifier()


class _MarkupCollector(HTMLParser):
    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.found: list[Segment] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            line, offset = self.getpos()
            self.found.append(Segment(text=data, path=self.path, base_line=line,
                                      base_column=offset + 1))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, offset = self.getpos()
        raw = self.get_starttag_text() or ""
        for name, value in attrs:
            if value and value.strip():
                at = max(raw.find(value), 0)  # exact unless the value held entities
                newlines = raw.count("\n", 0, at)
                column = offset + 1 + at if not newlines else at - raw.rfind("\n", 0, at)
                self.found.append(Segment(text=value, path=self.path, base_line=line + newlines,
                                          base_column=column, header=name))

    handle_startendtag = handle_starttag


def iter_markup(stream: BinaryIO, path: str, encoding: str) -> Iterator[Segment]:
    """Stream XML/HTML through the parser; yield text and attribute values."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    parser = _MarkupCollector(path)
    while True:
        raw = stream.read(READ_BYTES)
        parser.feed(decoder.decode(raw, final=not raw))
        if not raw:
            parser.close()
        yield from parser.found
        parser.found.clear()
        if not raw:
            return
