"""Shared by the pipeline tests and bench/ingest.py: planted data and helpers."""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dataguardian.celery import app
from dataguardian.orgs.models import Membership, Organization, Role

IBANS = ["NL91ABNA0417164300", "NL20INGB0001234567", "DE89370400440532013000", "GB29NWBK60161331926819"]
CARDS = ["4111 1111 1111 1111", "5555555555554444", "2223003122003222", "378282246310005"]
FILLER = ("The quarterly report covers logistics, planning and the usual meeting notes. "
          "Nothing personal here, only order numbers like 4711-0815 and room 3.14. ")


def person(rng: random.Random, n: int) -> dict[str, str]:
    return {
        "name": f"Person {n}",
        "email": f"person.{n}.{rng.randrange(10**6)}@example.nl",
        "iban": rng.choice(IBANS),
        "card": rng.choice(CARDS),
    }


def csv_text(rng: random.Random, rows: int, start: int = 0) -> str:
    out = ["name,email,iban,notes"]
    for n in range(start, start + rows):
        p = person(rng, n)
        out.append(f"{p['name']},{p['email']},{p['iban']},{FILLER[:60]}")
    return "\n".join(out) + "\n"


def json_text(rng: random.Random, rows: int, start: int = 0) -> str:
    return json.dumps([person(rng, n) for n in range(start, start + rows)], indent=1)


def prose_text(rng: random.Random, paragraphs: int, start: int = 0) -> str:
    parts = []
    for n in range(start, start + paragraphs):
        p = person(rng, n)
        parts.append(f"{FILLER}Contact {p['name']} at {p['email']}; refund to {p['iban']}.\n")
        parts.append(FILLER * 4 + "\n")
    return "".join(parts)


def mixed_files(seed: int, count: int, rows: int) -> Iterator[tuple[str, bytes]]:
    """``count`` (name, bytes) files of CSV, JSON and prose with planted data."""
    rng = random.Random(seed)
    for i in range(count):
        kind = i % 3
        if kind == 0:
            yield f"data/customers_{i}.csv", csv_text(rng, rows, i * rows).encode()
        elif kind == 1:
            yield f"data/records_{i}.json", json_text(rng, rows, i * rows).encode()
        else:
            yield f"notes/letter_{i}.txt", prose_text(rng, rows, i * rows).encode()


def zip_bytes(files: Iterator[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def write_tree(root: Path, files: Iterator[tuple[str, bytes]]) -> Path:
    for name, data in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def expected_findings(root: Path) -> int:
    """What the engine alone finds in ``root``: the oracle for the pipeline."""
    return sum(expected_by_path(root).values())


def expected_by_path(root: Path) -> Counter:
    """How many findings the engine alone reports per path (relative to ``root``)."""
    from django.conf import settings

    from dataguardian.scanner import Engine
    from dataguardian.scanner.sources import scan_path

    engine = Engine(hash_key=settings.FINDING_HASH_KEY.encode())
    prefix = str(root).rstrip("/") + "/"
    counts: Counter = Counter()
    for result in scan_path(str(root), engine):
        for finding in result.findings:
            counts[finding.path.removeprefix(prefix)] += 1
    return counts


def make_member(org: Organization, role: str = Role.ANALYST, name: str | None = None):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username=name or f"u{Membership.objects.count() + 1}-{role}-{org.pk}", password="x-long-password-1"
    )
    Membership.objects.create(user=user, organization=org, role=role)
    return user


def make_org(slug: str = "acme") -> Organization:
    return Organization.objects.create(name=slug.title(), slug=slug)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def eager_celery():
    """Run tasks in-process (unit level); restores the app's config afterwards."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def uploads_left(media: Path) -> list[Path]:
    root = Path(media) / "uploads"
    return list(root.iterdir()) if root.exists() else []
