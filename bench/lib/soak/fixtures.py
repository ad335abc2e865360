"""What the soak scans, made once per run, each with its findings known in advance.

Uploads are sets of files: mixed archives (documents, code, CSV, office
files, nested zips, a tar.gz) with a few broken files (a truncated PDF, a
damaged DOCX, a member flagged as encrypted), loose files, one large archive
that spreads over several chunks, and one upload the product must refuse (a
".zip" that is no zip). Folders are copies of the same kind of files in an
allowed server folder; the database is one table in a PostgreSQL of its own.
The expected number of findings of each comes from the command line
(``python -m dataguardian.scanner ... --format jsonl``), run before the load.
"""

from __future__ import annotations

import io
import json
import random
import string
import subprocess
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.lib.server import PYTHON, ROOT
from dataguardian.scanner import synthetic

KB = 1024


@dataclass
class Source:
    """One thing to scan: ``kind`` upload, folder or database; ``expected`` findings (None: refused)."""

    name: str
    kind: str
    files: list[Path] = field(default_factory=list)  # upload: the files sent
    folder: str = ""  # folder: the server path chosen in the form
    database_url: str = ""
    expected: int | None = 0
    big: bool = False


def _zip(entries: dict[str, bytes], encrypted: tuple[str, ...] = ()) -> bytes:
    """A zip of ``entries``; members named in ``encrypted`` get the "encrypted" flag
    (their data stays plain: the scanner must report them, not read them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 5, 1, 12, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
        offsets = {i.filename: i.header_offset for i in archive.infolist() if i.filename in encrypted}
    raw = bytearray(buffer.getvalue())
    for name, offset in offsets.items():
        raw[offset + 6] |= 0x1  # the local header's flags
        central = raw.rindex(b"PK\x01\x02", 0, raw.rindex(name.encode()) + 1)
        raw[central + 8] |= 0x1  # and the central directory's
    return bytes(raw)


def _targz(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1714564800
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _csv(rnd: random.Random, rows: int) -> bytes:
    lines = ["id,name,email,iban,phone,bsn"]
    for n in range(rows):
        lines.append(f"{n},klant {n},klant{n}.{rnd.randint(1, 999)}@example.nl,{synthetic.iban(rnd)},"
                     f"{synthetic.mobile(rnd)},{synthetic.bsn(rnd)}")
    return ("\n".join(lines) + "\n").encode()


def _code(rnd: random.Random) -> bytes:
    token = "ghp_" + "".join(rnd.choices(string.ascii_letters + string.digits, k=36))
    return (
        "import os\n\n"
        f'GITHUB_TOKEN = "{token}"\n'
        f'SUPPORT = "helpdesk{rnd.randint(1, 99)}@example.nl"\n'
        f"# owner IBAN {synthetic.iban(rnd)}\n"
        "def connect():\n    return os.environ.get('DB_URL')\n"
    ).encode()


def _docx(rnd: random.Random) -> bytes:
    import docx

    document = docx.Document()
    for _ in range(6):
        _, value, template = synthetic.planted(rnd)
        document.add_paragraph(f"{synthetic.filler(rnd, 8)} {template.format(value)}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(rnd: random.Random) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["naam", "e-mail", "telefoon"])
    for n in range(20):
        sheet.append([f"klant {n}", f"k{n}.{rnd.randint(1, 999)}@example.nl", synthetic.mobile(rnd)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(rnd: random.Random, size: int) -> bytes:
    return synthetic.mixed_text(rnd, size, every=15).encode()


def mixed_files(rnd: random.Random, index: int) -> dict[str, bytes]:
    """One mixed bundle's files (also the content of a server folder)."""
    inner = _zip({"deep/notes.txt": _text(rnd, 4 * KB), "deep/klanten.csv": _csv(rnd, 10)})
    return {
        f"notes-{index}.txt": _text(rnd, 24 * KB),
        "customers.csv": _csv(rnd, 40),
        "app/settings.py": _code(rnd),
        "report.docx": _docx(rnd),
        "sheet.xlsx": _xlsx(rnd),
        "nested.zip": _zip({"inner/mail.txt": _text(rnd, 6 * KB), "inner/more.zip": inner}),
        "logs.tar.gz": _targz({"app.log": _text(rnd, 16 * KB)}),
        "broken/truncated.pdf": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<<",
        "broken/damaged.docx": b"PK\x03\x04" + bytes(rnd.getrandbits(8) for _ in range(300)),
    }


def build_uploads(folder: Path, rnd: random.Random, variants: int) -> list[Source]:
    """``variants`` mixed uploads, one large one, one of loose files and one the product refuses."""
    sources = []
    for n in range(variants):
        target = folder / f"upload-{n}"
        target.mkdir(parents=True)
        files = mixed_files(rnd, n)
        bundle = target / f"bundle-{n}.zip"
        bundle.write_bytes(_zip(files | {"secret/locked.txt": _text(rnd, 2 * KB)},
                                encrypted=("secret/locked.txt",)))
        paths = [bundle]
        if n % 2:
            loose = target / "contacts.csv"
            loose.write_bytes(_csv(rnd, 25))
            paths.append(loose)
        sources.append(Source(f"upload-{n}", "upload", files=paths))
    big = folder / "upload-big"
    big.mkdir()
    members = {f"export/part-{i:02d}.txt": _text(rnd, 1024 * KB) for i in range(20)}
    (big / "big-export.zip").write_bytes(_zip(members))
    sources.append(Source("upload-big", "upload", files=[big / "big-export.zip"], big=True))
    loose = folder / "upload-loose"
    loose.mkdir()
    for name, data in (("mail.txt", _text(rnd, 12 * KB)), ("script.py", _code(rnd)),
                       ("truncated.pdf", b"%PDF-1.4\n%broken")):
        (loose / name).write_bytes(data)
    sources.append(Source("upload-loose", "upload", files=sorted(loose.iterdir())))
    refused = folder / "upload-refused"
    refused.mkdir()
    (refused / "not-really.zip").write_bytes(_text(rnd, 2 * KB))
    sources.append(Source("upload-refused", "upload", files=[refused / "not-really.zip"], expected=None))
    return sources


def build_folders(root: Path, rnd: random.Random, count: int) -> list[Source]:
    sources = []
    for n in range(count):
        target = root / f"share-{n}"
        for name, data in mixed_files(rnd, 100 + n).items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        sources.append(Source(f"folder-{n}", "folder", folder=str(target)))
    return sources


def build_database(admin_url: str, scan_url: str, rnd: random.Random) -> Source:
    """A ``customers`` table of 80 rows (fewer than the 100 sampled, so every row is read)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("CREATE ROLE scanner LOGIN PASSWORD 'soak-scanner'")
        conn.execute("CREATE DATABASE soak_target OWNER scanner")
    with psycopg.connect(scan_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text, email text, iban text, "
                     "phone text, note text)")
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO customers (name, email, iban, phone, note) VALUES (%s, %s, %s, %s, %s)",
                [(f"klant {n}", f"klant{n}@example.nl", synthetic.iban(rnd), synthetic.mobile(rnd),
                  synthetic.filler(rnd, 6)) for n in range(80)],
            )
    return Source("database", "database", database_url=scan_url)


def expected_findings(source: Source, env: dict[str, str]) -> int:
    """Findings the command line reports for ``source`` (what the web scan must store)."""
    args = [PYTHON, "-m", "dataguardian.scanner", "--format", "jsonl"]
    if source.kind == "upload":
        args += [str(p) for p in source.files]
    elif source.kind == "folder":
        args.append(source.folder)
    else:
        args += ["--database-url", source.database_url]
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"scanner CLI failed on {source.name}: {proc.stderr[-2000:]}")
    return sum(1 for line in proc.stdout.splitlines() if line.strip() and json.loads(line))
