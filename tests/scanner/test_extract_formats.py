"""Each document format gives its values with a location that fits the format."""

from __future__ import annotations

import json

import pytest

from dataguardian.scanner.sources import scan_path
from tests.scanner.sample_documents import make_docx, make_odt, make_pdf, make_pptx, make_xlsx


def scan(path, engine):
    return list(scan_path(str(path), engine))


def only(results):
    assert len(results) == 1, results
    return results[0]


def test_csv_header_names_the_column(tmp_path, email_engine):
    path = tmp_path / "klanten.csv"
    path.write_text("naam;email;plaats\nJan;jan@example.nl;Delft\n"
                    "Piet;\"piet@example.nl\";\"Den\nHaag\"\nKees;kees@example.nl;Leiden\n")
    result = only(scan(path, email_engine))
    assert not result.errors
    got = [(f.line, f.column_name, f.masked) for f in result.findings]
    assert got == [(2, "email", "j***@example.nl"), (3, "email", "p***@example.nl"),
                   (5, "email", "k***@example.nl")]
    assert all(f.context == "email" for f in result.findings)  # stand-in echoes the header


def test_tsv_and_headerless_csv(tmp_path, email_engine):
    (tmp_path / "a.tsv").write_text("id\tmail\n1\tjan@example.nl\n")
    (tmp_path / "b.csv").write_text("1,jan@example.nl\n2,piet@example.nl\n")
    results = {r.path.rsplit("/", 1)[1]: r for r in scan(tmp_path, email_engine)}
    assert [(f.line, f.column_name) for f in results["a.tsv"].findings] == [(2, "mail")]
    assert [(f.line, f.column_name) for f in results["b.csv"].findings] == [
        (1, "column 2"), (2, "column 2")]


def test_json_paths_and_keys(tmp_path, email_engine):
    doc = {"customers": [{"name": "Jan"}, {"name": "Piet", "email": "piet@example.nl"}],
           "meta": {"contact e-mail": "info@example.nl"}}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc))
    result = only(scan(path, email_engine))
    assert [(f.cell, f.context, f.line) for f in result.findings] == [
        ("$.customers[1].email", "email", None), ('$.meta["contact e-mail"]', "contact e-mail", None)]


def test_json_lines_file(tmp_path, email_engine):
    path = tmp_path / "events.json"
    path.write_text('{"user": "a@example.nl"}\n{"user": "b@example.nl"}\n')
    result = only(scan(path, email_engine))
    assert [f.cell for f in result.findings] == ["$[0].user", "$[1].user"]


def test_xml_and_html_text_and_attributes(tmp_path, email_engine):
    (tmp_path / "page.html").write_text(
        "<html><body>\n<p>Mail <b>jan@example.nl</b></p>\n"
        "<a href=\"mailto:piet@example.nl\">x</a><script>var a='k@example.nl'</script></body></html>")
    (tmp_path / "data.xml").write_text(
        "<?xml version='1.0'?>\n<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>\n"
        "<klanten><klant email='a@example.nl'>&e;<naam>b@example.nl</naam></klant></klanten>")
    results = {r.path.rsplit("/", 1)[1]: r for r in scan(tmp_path, email_engine)}
    html = results["page.html"]
    assert [(f.line, f.column, f.masked) for f in html.findings] == [
        (2, 12, "j***@example.nl"), (3, 17, "p***@example.nl"), (3, 54, "k***@example.nl")]
    xml = results["data.xml"]
    assert [f.masked for f in xml.findings] == ["a***@example.nl", "b***@example.nl"]
    assert "root:" not in str(xml)


def test_pdf_pages(tmp_path, email_engine):
    path = tmp_path / "brief.pdf"
    path.write_bytes(make_pdf(["Geen gegevens hier", "Contact: jan@example.nl"]))
    result = only(scan(path, email_engine))
    assert not result.errors
    assert [(f.sheet, f.masked) for f in result.findings] == [("page 2", "j***@example.nl")]


def test_docx_paragraphs_and_tables(tmp_path, email_engine):
    path = tmp_path / "brief.docx"
    path.write_bytes(make_docx(["Beste Jan,", "Mail jan@example.nl"],
                               table=[["Naam", "E-mail"], ["Piet", "piet@example.nl"]]))
    result = only(scan(path, email_engine))
    got = [(f.line, f.sheet, f.cell, f.context) for f in result.findings]
    assert got == [(2, None, None, ""), (None, "table 1", "B2", "E-mail")]


def test_xlsx_sheet_cell_and_header(tmp_path, email_engine):
    path = tmp_path / "klanten.xlsx"
    path.write_bytes(make_xlsx([["Naam", "Email"], ["Jan", "jan@example.nl"], [None, None],
                                ["Piet", "piet@example.nl"]]))
    result = only(scan(path, email_engine))
    assert [(f.sheet, f.cell, f.column_name) for f in result.findings] == [
        ("Klanten", "B2", "Email"), ("Klanten", "B4", "Email")]


def test_pptx_slides(tmp_path, email_engine):
    path = tmp_path / "deck.pptx"
    path.write_bytes(make_pptx(["Welkom", "Vragen? jan@example.nl"]))
    result = only(scan(path, email_engine))
    assert [(f.sheet, f.masked) for f in result.findings] == [("slide 2", "j***@example.nl")]


def test_odt_paragraphs(tmp_path, email_engine):
    path = tmp_path / "brief.odt"
    path.write_bytes(make_odt(["Beste Jan,", "Mail jan@example.nl"]))
    result = only(scan(path, email_engine))
    assert [(f.line, f.masked) for f in result.findings] == [(2, "j***@example.nl")]


def test_format_is_chosen_by_content_not_name(tmp_path, email_engine):
    (tmp_path / "report.bin").write_bytes(make_pdf(["jan@example.nl"]))
    (tmp_path / "sheet.dat").write_bytes(make_xlsx([["Email"], ["jan@example.nl"]]))
    results = scan(tmp_path, email_engine)
    assert sorted((f.sheet, f.cell) for r in results for f in r.findings) == [
        ("Klanten", "A2"), ("page 1", None)]


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("cut.pdf", make_pdf(["jan@example.nl"])[:150], "PDF"),
    ("cut.docx", make_docx(["jan@example.nl"])[:2000], "DOCX"),
    ("cut.xlsx", make_xlsx([["jan@example.nl"]])[:1500], "XLSX"),
    ("fake.pdf", b"this is not a pdf at all", "PDF"),
])
def test_truncated_documents_give_a_clear_error(tmp_path, email_engine, name, data, reason):
    (tmp_path / name).write_bytes(data)
    result = only(scan(tmp_path / name, email_engine))
    assert result.errors, result
    assert reason in result.errors[0].reason
    assert "truncated or invalid" in result.errors[0].reason or "could not read" in result.errors[0].reason


def test_binary_garbage_is_skipped_with_a_reason(tmp_path, email_engine):
    import random

    (tmp_path / "core.dump").write_bytes(random.Random(7).randbytes(100_000))
    result = only(scan(tmp_path / "core.dump", email_engine))
    assert [e.reason for e in result.errors] == ["binary file, skipped"]


def test_odt_keeps_document_order_with_headings(tmp_path, email_engine):
    import io

    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(P(text="intro"))
    document.text.addElement(H(outlinelevel=1, text="Kop a@example.nl"))
    document.text.addElement(P(text="tekst b@example.nl"))
    out = io.BytesIO()
    document.write(out)
    (tmp_path / "doc.odt").write_bytes(out.getvalue())
    result = only(scan(tmp_path / "doc.odt", email_engine))
    assert [(f.line, f.masked) for f in result.findings] == [(2, "a***@example.nl"), (3, "b***@example.nl")]
