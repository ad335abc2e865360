"""Run the rules and keep their findings: one row per fingerprint, its count and status.

A finding seen again updates the row (last seen, count, evidence, severity,
recommendation); a resolved one seen again is reopened; an acknowledged one
stays acknowledged. A rule that fails is logged and skipped: the others run.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.db import transaction
from django.utils.module_loading import import_string

from performance import conf
from performance.bottlenecks.base import Finding, Rule
from performance.monitoring_models import Bottleneck

logger = logging.getLogger(__name__)
Status = Bottleneck.Status


def configured_rules() -> list[Rule]:
    return [import_string(path)() for path in conf.get("PERFORMANCE_BOTTLENECK_RULES")]


def record(findings: list[Finding], now: datetime) -> tuple[int, int]:
    """Store findings; return (new, updated)."""
    new = updated = 0
    with transaction.atomic():
        for finding in findings:
            row = Bottleneck.objects.select_for_update().filter(fingerprint=finding.fingerprint()).first()
            figures = {"subject": finding.subject[:200], "title": finding.title[:300],
                       "severity": finding.severity, "evidence": finding.evidence,
                       "recommendation": finding.recommendation, "last_seen": now}
            if row is None:
                Bottleneck.objects.create(fingerprint=finding.fingerprint(), rule=finding.rule,
                                          first_seen=now, **figures)
                new += 1
                continue
            for name, value in figures.items():
                setattr(row, name, value)
            row.count += 1
            if row.status == Status.RESOLVED:
                row.status, row.status_changed_at = Status.OPEN, now
                row.reopened += 1
            row.save()
            updated += 1
    return new, updated


def run_rules(now: datetime | None = None, rules: list[Rule] | None = None) -> dict[str, int | str]:
    """Evaluate every rule and record what it found; ``{rule: findings or "error: ..."}``."""
    now = now or datetime.now(tz=UTC)
    summary: dict[str, int | str] = {}
    for rule in rules if rules is not None else configured_rules():
        try:
            findings = rule.run(now)
            record(findings, now)
        except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the others
            logger.warning("bottleneck rule %s failed: %s: %s", rule.name, type(exc).__name__, exc)
            summary[rule.name] = f"error: {type(exc).__name__}"
            continue
        summary[rule.name] = len(findings)
    return summary


def set_status(bottleneck: Bottleneck, status: str) -> Bottleneck:
    """Acknowledge, resolve or reopen a bottleneck."""
    if status not in Status.values:
        raise ValueError(f"unknown status {status!r}")
    bottleneck.status = status
    bottleneck.status_changed_at = datetime.now(tz=UTC)
    bottleneck.save(update_fields=["status", "status_changed_at"])
    return bottleneck
