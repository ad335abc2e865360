"""Findings are stored once per fingerprint: counted, updated, reopened; a broken rule is skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from performance.bottlenecks import services
from performance.bottlenecks.base import Finding, Rule
from performance.models import Bottleneck

pytestmark = pytest.mark.django_db


class Always(Rule):
    name = "always"

    def __init__(self, mean: float = 100.0):
        super().__init__()
        self.mean = mean

    def evaluate(self, now):
        return [Finding(subject="scans:detail", title="slow", severity=2, evidence={"mean_ms": self.mean},
                        recommendation="do something")]


class Broken(Rule):
    name = "broken"

    def evaluate(self, now):
        raise RuntimeError("rule bug")


def test_one_row_per_fingerprint_with_its_count_and_latest_evidence():
    start = datetime.now(tz=UTC)
    services.run_rules(start, [Always(100.0)])
    services.run_rules(start + timedelta(minutes=5), [Always(150.0)])
    row = Bottleneck.objects.get()
    assert row.count == 2 and row.first_seen == start and row.last_seen == start + timedelta(minutes=5)
    assert row.evidence == {"mean_ms": 150.0} and row.status == "open" and row.rule == "always"


def test_a_resolved_problem_that_comes_back_is_reopened_an_acknowledged_one_stays():
    services.run_rules(rules=[Always()])
    row = services.set_status(Bottleneck.objects.get(), "resolved")
    services.run_rules(rules=[Always()])
    row.refresh_from_db()
    assert row.status == "open" and row.reopened == 1
    services.set_status(row, "acknowledged")
    services.run_rules(rules=[Always()])
    row.refresh_from_db()
    assert row.status == "acknowledged" and row.count == 3
    with pytest.raises(ValueError):
        services.set_status(row, "ignored")


def test_a_broken_rule_does_not_stop_the_others():
    summary = services.run_rules(rules=[Broken(), Always()])
    assert summary == {"broken": "error: RuntimeError", "always": 1}
    assert Bottleneck.objects.count() == 1


def test_every_configured_rule_loads_and_runs_on_an_empty_database():
    summary = services.run_rules()
    assert len(summary) == 10 and all(v == 0 for v in summary.values())


def test_staff_acknowledge_and_resolve_from_the_admin_with_history(admin_client):
    from django.contrib.admin.models import LogEntry

    services.run_rules(rules=[Always()])
    row = Bottleneck.objects.get()
    response = admin_client.post("/admin/performance/bottleneck/",
                                 {"action": "resolve", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "resolved" and row.status_changed_at is not None
    assert LogEntry.objects.get().change_message == "Marked resolved."
