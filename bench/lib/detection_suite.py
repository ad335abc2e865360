"""The hard cases of bench/accuracy.py: values next to each other, and the written forms.

Labelled in ``dataguardian.scanner.samples``. Each case is scanned as one
short text by an engine of each backend:

* adjacent pairs of every entity, with a space, a comma and a newline
  between them: both values must be found (``adjacent_recall``);
* national phone numbers of many regions, read by an engine told those
  regions (``phone_regions_recall``);
* the IPv6, e-mail, IBAN, card and connection-string forms, found whole
  (``forms_recall``);
* mistyped IBANs, of which nothing may be reported (``decoy_findings``).

``snippet_leaks`` counts the findings whose context snippet holds a planted
value (or a decoy) in clear. A value counts as found when a finding has its
entity and the keyed hash of the whole value, so half a value is a miss.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dataguardian.scanner import Engine
from dataguardian.scanner.masking import keyed_hash
from dataguardian.scanner.samples import DECOYS, FORMS, NATIONAL_PHONES, PAIRS, SEPARATORS, Sample


@dataclass
class Tally:
    """Per entity: values planted, values found, snippets that leaked one."""

    planted: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    leaks: Counter[str] = field(default_factory=Counter)

    def recall(self, entity: str | None = None) -> float:
        planted = self.planted[entity] if entity else sum(self.planted.values())
        found = self.found[entity] if entity else sum(self.found.values())
        return found / planted if planted else 1.0

    def min_recall(self) -> float:
        return min((self.recall(entity) for entity in self.planted), default=1.0)


@dataclass
class SuiteResult:
    backend: str
    adjacent: Tally = field(default_factory=Tally)
    forms: Tally = field(default_factory=Tally)
    phones: Tally = field(default_factory=Tally)
    decoys: Tally = field(default_factory=Tally)
    decoy_findings: int = 0

    def leaks(self) -> Counter[str]:
        return self.adjacent.leaks + self.forms.leaks + self.phones.leaks + self.decoys.leaks


class Checker:
    def __init__(self, engine: Engine, key: bytes) -> None:
        self.engine = engine
        self.key = key
        self.normalise = {d.ENTITY: d.normalise for d in engine.detectors}

    def check(self, text: str, samples: list[Sample], tally: Tally, secret: tuple[str, ...] = ()) -> int:
        """Scan ``text``, add to ``tally``; return how many findings there were."""
        findings = self.engine.scan_text(text)
        got = Counter((f.entity, f.value_hash) for f in findings)
        for sample in samples:
            tally.planted[sample.entity] += 1
            digest = keyed_hash(self.key, self.normalise[sample.entity](sample.found))
            if got[(sample.entity, digest)] > 0:
                got[(sample.entity, digest)] -= 1
                tally.found[sample.entity] += 1
        for finding in findings:
            for sample in samples:
                if sample.found in finding.context:
                    tally.leaks[sample.entity] += 1
            tally.leaks["IBAN"] += sum(decoy in finding.context for decoy in secret)
        return len(findings)


def run_suite(backend: str, key: bytes) -> SuiteResult:
    result = SuiteResult(backend)
    plain = Checker(Engine(key, backend=backend), key)
    for first, second in PAIRS.values():
        for sep in SEPARATORS:
            plain.check(f"zie {first.text}{sep}{second.text} hier", [first, second], result.adjacent)
    for sample in FORMS:
        plain.check(f"waarde {sample.text} hier", [sample], result.forms)
    regions = tuple(dict.fromkeys(region for region, _ in NATIONAL_PHONES))
    regional = Checker(Engine(key, backend=backend, phone_regions=regions), key)
    for _, number in NATIONAL_PHONES:
        regional.check(f"bel {number} vandaag", [Sample("PHONE", number)], result.phones)
    email = Sample("EMAIL", "jan@example.nl")
    for decoy in DECOYS:
        found = plain.check(f"mail {email.text}, oude rekening {decoy} vervalt", [email], result.decoys,
                            secret=(decoy,))
        result.decoy_findings += found - 1
    return result


def print_suite(result: SuiteResult) -> None:
    print(f"\nhard cases, {result.backend} backend:")
    print(f"{'entity':20} {'adjacent':>9} {'forms':>7} {'leaks':>6}")
    entities = sorted(set(result.adjacent.planted) | set(result.forms.planted) | set(result.phones.planted))
    leaks = result.leaks()
    for entity in entities:
        adjacent = f"{result.adjacent.found[entity]}/{result.adjacent.planted[entity]}"
        forms = result.forms.found[entity] + result.phones.found[entity]
        planted = result.forms.planted[entity] + result.phones.planted[entity]
        print(f"{entity:20} {adjacent:>9} {f'{forms}/{planted}':>7} {leaks[entity]:>6}")
    print(f"national phone numbers: {result.phones.found['PHONE']}/{result.phones.planted['PHONE']} "
          f"({len({r for r, _ in NATIONAL_PHONES})} regions); findings in malformed IBANs: "
          f"{result.decoy_findings}")
