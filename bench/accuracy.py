"""Accuracy of the detection engine on a labelled corpus it generates.

Standalone (no Django). Run from the repository root:

    .venv/bin/python bench/accuracy.py [--records 300] [--seed 7]

Values come from Faker's ``nl_NL`` locale (names, 11-proof BSNs, dates) and
from ``scanner.synthetic`` (IBANs and card numbers with computed check
digits, valid Dutch phone numbers), with decoys that fail their checks
(order numbers that fail the 11-proof, mistyped IBANs, Luhn-failing card
numbers, dates and 8-digit numbers without their context words). They are
rendered as prose, CSV, logs, code, JSON, DOCX, XLSX and a zip holding some
of those, written to a temporary folder and scanned through
``scanner.sources.scan_path`` like a real scan. A finding counts as correct
when its file, entity and keyed hash match a planted value (so the exact
value, not only its place, must be right). Prints precision, recall and F1
per entity, then the hard cases of ``bench/lib/detection_suite.py`` (values
next to each other, national phone numbers of many regions, IPv6, e-mail,
IBAN and card forms, mistyped IBANs) on each backend, and one ``BENCH
accuracy`` line: ``adjacent_recall`` is the lowest recall of any entity on
adjacent pairs, ``snippet_leaks`` the snippets that held a planted value in
clear, both over every backend.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faker import Faker  # noqa: E402

from bench.lib.detection_suite import print_suite, run_suite  # noqa: E402
from dataguardian.scanner import Engine, synthetic  # noqa: E402
from dataguardian.scanner.masking import keyed_hash  # noqa: E402
from dataguardian.scanner.matcher import BACKENDS, hyperscan  # noqa: E402
from dataguardian.scanner.sources import scan_path  # noqa: E402

KEY = b"accuracy-key"
Label = tuple[str, str]  # (entity, raw value)


class Corpus:
    """Documents (name -> text or rows) and the labels planted in each."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.fake = Faker("nl_NL")
        self.fake.seed_instance(seed)
        self.labels: dict[str, list[Label]] = {}

    def person(self) -> dict[str, str]:
        rnd, fake = self.rnd, self.fake
        return {
            "name": fake.first_name() + " " + fake.last_name(),
            "email": f"{fake.user_name()}{rnd.randint(1, 99)}@{fake.free_email_domain()}",
            "phone": synthetic.phone(rnd),
            "iban": synthetic.iban(rnd, rnd.choice(["NL", "NL", "DE", "GB"]), spaced=rnd.random() < 0.5),
            "card": synthetic.card(rnd, rnd.choice(["", " ", "-"])),
            "bsn": fake.ssn(),
            "postcode": synthetic.postcode(rnd),
            "dob": fake.date_of_birth(minimum_age=18, maximum_age=90).strftime(
                rnd.choice(["%d-%m-%Y", "%Y-%m-%d"])
            ),
            "ip": fake.ipv4_public(),
            "kvk": f"{rnd.randint(10000000, 99999999)}",
            "order": synthetic.bsn_decoy(rnd),
            "bad_iban": synthetic.iban_decoy(rnd),
            "bad_card": synthetic.card_decoy(rnd, " "),
        }

    def prose(self, name: str, people: list[dict[str, str]]) -> str:
        lines, labels = [], []
        for p in people:
            lines.append(
                f"Klant {p['name']} (geboortedatum: {p['dob']}, BSN {p['bsn']}) "
                f"woont op {p['postcode']} Utrecht "
                f"en is bereikbaar via {p['email']} of {p['phone']}. Betalingen gaan naar {p['iban']}; "
                f"zijn kaart {p['card']} staat op file. KvK-nummer {p['kvk']}. Ordernummer {p['order']}, "
                f"oude rekening {p['bad_iban']} en referentie {p['bad_card']} zijn ongeldig. "
                f"Vergadering op {p['dob']} om 10:00."
            )
            labels += [("DATE_OF_BIRTH", p["dob"]), ("NL_BSN", p["bsn"]), ("NL_POSTCODE", p["postcode"])]
            labels += [("EMAIL", p["email"]), ("PHONE", p["phone"]), ("IBAN", p["iban"])]
            labels += [("CREDIT_CARD", p["card"]), ("NL_KVK", p["kvk"])]
        self.labels[name] = labels
        return "\n\n".join(lines) + "\n"

    def log(self, name: str, people: list[dict[str, str]]) -> str:
        lines, labels = [], []
        for i, p in enumerate(people):
            lines.append(
                f"2024-03-{i % 28 + 1:02d} 12:{i % 60:02d}:00 INFO login user={p['email']} from {p['ip']}"
            )
            lines.append(
                f"2024-03-{i % 28 + 1:02d} 12:{i % 60:02d}:01 WARN order {p['order']} failed, id {p['kvk']}"
            )
            stamp = f"2024-03-{i % 28 + 1:02d} 12:{i % 60:02d}:02"
            lines.append(
                f"{stamp} DEBUG trace={self.fake.uuid4()} sha={self.fake.sha1()} "
                f"v{self.rnd.randint(1, 9)}.{self.rnd.randint(0, 20)}.3.1 "
                f"took {self.rnd.randint(1, 99999)}ms "
                f"amount=EUR {self.rnd.randint(1, 9)}.{self.rnd.randint(100, 999)},50"
            )
            labels += [("EMAIL", p["email"]), ("IP_ADDRESS", p["ip"])]
        self.labels[name] = labels
        return "\n".join(lines) + "\n"

    def code(self, name: str, count: int) -> str:
        rnd, labels = self.rnd, []
        lines = ["import os", "", "DEBUG = False", "TIMEOUT = 30"]
        for i in range(count):
            key = "AKIA" + "".join(rnd.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=16))
            token = "ghp_" + "".join(
                rnd.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=36)
            )
            lines += [
                f'AWS_ACCESS_KEY_ID_{i} = "{key}"',
                f'GITHUB_TOKEN_{i} = "{token}"',
                f"password_{i} = os.environ.get('PASSWORD_{i}')",
                f"retries_{i} = {rnd.randint(1, 9)}",
            ]
            labels += [("AWS_ACCESS_KEY", key), ("GITHUB_TOKEN", token)]
        self.labels[name] = labels
        return "\n".join(lines) + "\n"

    def table(self, name: str, people: list[dict[str, str]]) -> list[list[str]]:
        header = [
            "klantnummer",
            "naam",
            "email",
            "telefoon",
            "iban",
            "bsn",
            "geboortedatum",
            "kvk",
            "ordernummer",
        ]
        rows, labels = [header], []
        for i, p in enumerate(people):
            rows.append(
                [
                    str(1000 + i),
                    p["name"],
                    p["email"],
                    p["phone"],
                    p["iban"],
                    p["bsn"],
                    p["dob"],
                    p["kvk"],
                    p["order"],
                ]
            )
            labels += [
                ("PERSON", p["name"]),
                ("EMAIL", p["email"]),
                ("PHONE", p["phone"]),
                ("IBAN", p["iban"]),
            ]
            labels += [("NL_BSN", p["bsn"]), ("DATE_OF_BIRTH", p["dob"]), ("NL_KVK", p["kvk"])]
        self.labels[name] = labels
        return rows

    def json_doc(self, name: str, people: list[dict[str, str]]) -> str:
        records, labels = [], []
        for p in people:
            records.append(
                {
                    "email": p["email"],
                    "iban": p["iban"],
                    "date_of_birth": p["dob"],
                    "bsn": p["bsn"],
                    "ip": p["ip"],
                    "order_id": p["order"],
                }
            )
            labels += [("EMAIL", p["email"]), ("IBAN", p["iban"]), ("DATE_OF_BIRTH", p["dob"])]
            labels += [("NL_BSN", p["bsn"]), ("IP_ADDRESS", p["ip"])]
        self.labels[name] = labels
        return json.dumps(records, indent=2)


def write_corpus(folder: Path, corpus: Corpus, records: int) -> None:
    from docx import Document
    from openpyxl import Workbook

    people = [corpus.person() for _ in range(records)]
    fifth = max(1, records // 5)
    (folder / "klanten.txt").write_text(corpus.prose("klanten.txt", people[:fifth]), encoding="utf-8")
    (folder / "app.log").write_text(corpus.log("app.log", people[fifth : 2 * fifth]), encoding="utf-8")
    (folder / "settings.py").write_text(corpus.code("settings.py", fifth), encoding="utf-8")
    rows = corpus.table("klanten.csv", people[2 * fifth : 3 * fifth])
    (folder / "klanten.csv").write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    (folder / "export.json").write_text(corpus.json_doc("export.json", people[3 * fifth : 4 * fifth]))

    document = Document()
    for paragraph in corpus.prose("brief.docx", people[4 * fifth : 4 * fifth + fifth // 2]).split("\n\n"):
        document.add_paragraph(paragraph.strip())
    document.save(folder / "brief.docx")

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Klanten"
    for row in corpus.table("klanten.xlsx", people[4 * fifth + fifth // 2 :]):
        sheet.append(row)
    workbook.save(folder / "klanten.xlsx")

    with zipfile.ZipFile(folder / "backup.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for member in ("klanten.csv", "app.log"):
            archive.write(folder / member, f"old/{member}")
            corpus.labels[f"backup.zip!old/{member}"] = list(corpus.labels[member])


def evaluate(folder: Path, corpus: Corpus, engine: Engine) -> dict[str, tuple[int, int, int]]:
    """Per entity: (true positives, false positives, false negatives)."""
    normalise = {d.ENTITY: d.normalise for d in engine.detectors}
    expected: Counter[tuple[str, str, str]] = Counter()
    for name, labels in corpus.labels.items():
        for entity, value in labels:
            expected[(name, entity, keyed_hash(KEY, normalise[entity](value)))] += 1
    found: Counter[tuple[str, str, str]] = Counter()
    errors = []
    prefix = str(folder) + "/"
    for result in scan_path(str(folder), engine):
        errors += result.errors
        for finding in result.findings:
            found[(finding.path.removeprefix(prefix), finding.entity, finding.value_hash)] += 1
    for error in errors:
        print(f"error: {error.path}: {error.reason}")
    scores: dict[str, tuple[int, int, int]] = {}
    for entity in sorted({key[1] for key in expected} | {key[1] for key in found}):
        exp = sum(n for key, n in expected.items() if key[1] == entity)
        got = sum(n for key, n in found.items() if key[1] == entity)
        tp = sum(min(n, found[key]) for key, n in expected.items() if key[1] == entity)
        scores[entity] = (tp, got - tp, exp - tp)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=300, help="people generated")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    corpus = Corpus(args.seed)
    engine = Engine(KEY)
    with tempfile.TemporaryDirectory(prefix="dg-accuracy-") as tmp:
        folder = Path(tmp)
        write_corpus(folder, corpus, args.records)
        scores = evaluate(folder, corpus, engine)
    print(f"{'entity':16} {'tp':>5} {'fp':>5} {'fn':>5} {'precision':>9} {'recall':>7} {'f1':>6}")
    f1s = {}
    for entity, (tp, fp, fn) in scores.items():
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s[entity] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{entity:16} {tp:5} {fp:5} {fn:5} {precision:9.3f} {recall:7.3f} {f1s[entity]:6.3f}")
    worst = min(f1s, key=f1s.get)
    labelled = sum(len(v) for v in corpus.labels.values())
    suites = [run_suite(backend, KEY) for backend in BACKENDS if backend != "hyperscan" or hyperscan]
    for suite in suites:
        print_suite(suite)
    adjacent = min(s.adjacent.min_recall() for s in suites)
    forms = min(min(s.forms.recall(), s.phones.recall()) for s in suites)
    print(
        f"BENCH accuracy min_f1={f1s[worst]:.3f} min_f1_entity={worst} entities={len(f1s)} "
        f"labels={labelled} files={len(corpus.labels)} adjacent_recall={adjacent:.3f} "
        f"snippet_leaks={max(sum(s.leaks().values()) for s in suites)} forms_recall={forms:.3f} "
        f"decoy_findings={max(s.decoy_findings for s in suites)}"
    )


if __name__ == "__main__":
    main()
