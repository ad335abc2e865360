"""The command-line scan: ``python -m dataguardian.scanner PATH [PATH ...]``.

Needs no database and no Redis: it runs the engine on files, folders and
archives (and on a database given by ``--database-url``) and writes the
findings as a table, JSON, JSON Lines, CSV or SARIF. The Django command
``manage.py scan`` calls :func:`main` with the key from settings.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import secrets
import sys
import time
from collections.abc import Iterator
from typing import TextIO

from dataguardian.scanner.archives import Limits
from dataguardian.scanner.database import DatabaseConnectError
from dataguardian.scanner.parallel import scan_paths
from dataguardian.scanner.progress import ProgressBar
from dataguardian.scanner.report import FORMATS, WRITERS, Summary
from dataguardian.scanner.sources import walk
from dataguardian.scanner.types import FileResult, Finding, SourceError

HASH_KEY_ENV = "DG_FINDING_HASH_KEY"
PHONE_REGIONS_ENV = "DG_PHONE_REGIONS"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scan", description="Find personal data and secrets in files, archives and databases.")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to scan")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    parser.add_argument("--jobs", type=_positive_int, default=1, metavar="N",
                        help="worker processes (default 1)")
    parser.add_argument("--min-confidence", type=_confidence, default=0.0, metavar="X",
                        help="drop findings below this confidence (0..1)")
    parser.add_argument("--entities", type=_entity_list, default=None, metavar="A,B",
                        help="only these entities, e.g. EMAIL,IBAN")
    parser.add_argument("--database-url", metavar="URL",
                        help="also sample a database: postgresql://... or sqlite:///file.db")
    parser.add_argument("--sample-rows", type=_positive_int, default=100, metavar="N",
                        help="rows sampled per database table (default 100)")
    parser.add_argument("--phone-regions", type=_phone_regions, default=None, metavar="NL,BE",
                        help="regions whose national phone formats are read, in order of preference "
                             f"(default: ${PHONE_REGIONS_ENV}, else NL); +/00 numbers are read for all")
    return parser


def main(argv: list[str] | None = None, hash_key: bytes | None = None,
         stdout: TextIO | None = None, stderr: TextIO | None = None,
         phone_regions: tuple[str, ...] | None = None) -> int:
    """Run a scan; 0 when it ran (findings or not), 2 on a usage error or a
    missing path, 1 when the database cannot be reached (one line on stderr).

    ``phone_regions`` is the default of ``--phone-regions`` (the settings'
    ``DG_PHONE_REGIONS`` under ``manage.py scan``); without it the
    environment variable is read.
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    parser = build_parser()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage message
        return int(exc.code or 0)
    if not args.paths and not args.database_url:
        parser.print_usage(err)
        err.write("scan: error: give at least one PATH or --database-url\n")
        return 2
    missing = [path for path in args.paths if not os.path.lexists(path)]
    if missing:
        err.write(f"scan: error: {missing[0]}: no such file or folder\n")
        return 2
    regions = args.phone_regions or phone_regions or _env_phone_regions(parser, err)
    if regions is None:
        return 2
    key = _hash_key(hash_key, err)
    from dataguardian.scanner.engine import Engine

    factory = functools.partial(Engine, key, entities=args.entities,
                                min_confidence=args.min_confidence, phone_regions=regions)
    writer = WRITERS[args.format](out, err)
    summary = Summary()
    started = time.monotonic()
    bar = _progress_bar(args.paths, err)
    results = scan_paths(args.paths, factory, jobs=args.jobs, limits=Limits(),
                         progress=bar.update if bar else None)
    mask = factory().mask_location
    try:
        for result in _with_database(results, args, factory):
            result.errors = [SourceError(mask(e.path), mask(e.reason)) for e in result.errors]
            findings = _filtered(result.findings, args)
            summary.add(result, findings)
            writer.add(result, findings)
    except KeyboardInterrupt:
        err.write("\nscan interrupted\n")
        return 130
    except DatabaseConnectError as exc:
        err.write(f"scan: error: {exc}: {exc.detail}\n")
        return 1
    finally:
        if bar:
            bar.close()
    summary.seconds = time.monotonic() - started
    writer.finish(summary)
    out.flush()
    return 0


def _with_database(results: Iterator[FileResult], args: argparse.Namespace,
                   factory: functools.partial) -> Iterator[FileResult]:
    yield from results
    if args.database_url:
        from dataguardian.scanner.database import scan_database

        yield from scan_database(args.database_url, factory(), rows=args.sample_rows)


def _filtered(findings: list[Finding], args: argparse.Namespace) -> list[Finding]:
    return [f for f in findings if f.confidence >= args.min_confidence
            and (args.entities is None or f.entity in args.entities)]


def _hash_key(given: bytes | None, err: TextIO) -> bytes:
    if given:
        return given
    from_env = os.environ.get(HASH_KEY_ENV, "")
    if from_env:
        return from_env.encode()
    err.write(f"note: {HASH_KEY_ENV} is not set; value hashes use a random key for this run "
              "and cannot be compared with other runs\n")
    return secrets.token_bytes(32)


def _progress_bar(paths: list[str], err: TextIO) -> ProgressBar | None:
    if not paths or not getattr(err, "isatty", lambda: False)():
        return None
    files = sizes = 0
    for path in paths:
        for item in walk(path):
            files += 1
            sizes += 0 if isinstance(item, Exception) or not isinstance(item, tuple) else item[1]
    return ProgressBar(files, sizes, err)


def _env_phone_regions(parser: argparse.ArgumentParser, err: TextIO) -> tuple[str, ...] | None:
    """The regions named by the environment (NL when it names none); None after a usage error."""
    from dataguardian.scanner.detectors.phone import DEFAULT_REGIONS, parse_regions

    raw = os.environ.get(PHONE_REGIONS_ENV, "").strip()
    if not raw:
        return DEFAULT_REGIONS
    try:
        return parse_regions(raw)
    except ValueError as exc:
        parser.print_usage(err)
        err.write(f"scan: error: {PHONE_REGIONS_ENV}: {exc}\n")
        return None


def _phone_regions(text: str) -> tuple[str, ...]:
    from dataguardian.scanner.detectors.phone import parse_regions

    try:
        return parse_regions(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _confidence(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _entity_list(text: str) -> set[str]:
    from dataguardian.scanner.detectors import ENTITIES

    entities = {part.strip().upper() for part in text.split(",") if part.strip()}
    if not entities:
        raise argparse.ArgumentTypeError("name at least one entity")
    unknown = entities - ENTITIES
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {', '.join(sorted(unknown))}; valid entities: {', '.join(sorted(ENTITIES))}")
    return entities
