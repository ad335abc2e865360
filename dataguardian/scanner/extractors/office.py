"""Office documents: DOCX, XLSX, PPTX (OOXML) and ODF (odfpy).

Each yields Segments with a location that makes sense for the format:
paragraph number as line for documents, sheet and cell (``B7``) for
spreadsheets with the first row as headers, slide number for slides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, BinaryIO

from dataguardian.scanner.types import Segment


def iter_docx(stream: BinaryIO, path: str) -> Iterator[Segment]:
    """Paragraphs (line = paragraph number), then tables (first row = headers)."""
    import docx

    document = docx.Document(stream)
    number = 0
    for section in document.sections:
        for part in (section.header, section.footer):
            for paragraph in part.paragraphs:
                if paragraph.text.strip():
                    yield Segment(text=paragraph.text, path=path, base_line=None,
                                  sheet="header/footer")
    for paragraph in document.paragraphs:
        number += 1
        if paragraph.text.strip():
            yield Segment(text=paragraph.text, path=path, base_line=number)
    for index, table in enumerate(document.tables, start=1):
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        yield from _table(rows, path, sheet=f"table {index}")


def iter_xlsx(stream: BinaryIO, path: str) -> Iterator[Segment]:
    """Every non-empty cell, located by sheet and cell; row 1 names the columns."""
    import openpyxl

    workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            headers: list[str | None] = []
            for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if row_number == 1:
                    headers = [_text(value) or None for value in row]
                for column, value in enumerate(row):
                    text = _text(value)
                    if not text.strip():
                        continue
                    header = headers[column] if column < len(headers) and row_number > 1 else None
                    yield Segment(text=text, path=path, base_line=None, header=header,
                                  sheet=sheet.title, cell=f"{_letters(column)}{row_number}",
                                  column_name=header)
    finally:
        workbook.close()


def iter_pptx(stream: BinaryIO, path: str) -> Iterator[Segment]:
    """Text of every shape, table and note, located by slide."""
    import pptx

    presentation = pptx.Presentation(stream)
    for number, slide in enumerate(presentation.slides, start=1):
        where = f"slide {number}"
        for shape in slide.shapes:
            if getattr(shape, "has_text_frame", False) and shape.text_frame.text.strip():
                yield Segment(text=shape.text_frame.text, path=path, sheet=where)
            if getattr(shape, "has_table", False):
                rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
                yield from _table(rows, path, sheet=where)
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                yield Segment(text=notes.text, path=path, sheet=f"{where} notes")


def iter_odf(stream: BinaryIO, path: str) -> Iterator[Segment]:
    """Headings and paragraphs of an OpenDocument file, in document order.

    The line is the paragraph's number; nested paragraphs (in tables,
    frames, lists) are counted where they appear.
    """
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    document = load(stream)
    number = 0
    stack = [document.body]
    while stack:
        element = stack.pop()
        if getattr(element, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
            number += 1
            content = teletype.extractText(element)
            if content.strip():
                yield Segment(text=content, path=path, base_line=number)
            continue
        stack.extend(reversed([c for c in element.childNodes if c.nodeType == c.ELEMENT_NODE]))


def _table(rows: list[list[str]], path: str, sheet: str) -> Iterator[Segment]:
    headers = [cell.strip() or None for cell in rows[0]] if rows else []
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if not value.strip():
                continue
            header = headers[column] if row_number > 1 and column < len(headers) else None
            yield Segment(text=value, path=path, base_line=None, header=header, sheet=sheet,
                          cell=f"{_letters(column)}{row_number}", column_name=header)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value)


def _letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
