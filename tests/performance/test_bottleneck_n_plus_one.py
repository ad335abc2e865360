"""N+1 rule: 5 or more similar queries totalling over 100 ms in one request (Sentry's thresholds)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from performance.bottlenecks.n_plus_one import NPlusOneRule
from performance.models import NPlusOne

pytestmark = pytest.mark.django_db
SHAPE = 'SELECT "orgs_organization"."id" FROM "orgs_organization" WHERE "orgs_organization"."id" = ?'


def flagged(repeats: int, total_ms: float) -> None:
    now = datetime.now(tz=UTC)
    NPlusOne.objects.create(fingerprint_hash="ab" * 16, source="dataguardian.scans.views.scan_detail",
                            fingerprint=SHAPE, example="...", occurrences=3, max_repeats=repeats,
                            max_total_ms=total_ms, first_seen=now, last_seen=now)


def test_fires_with_the_view_the_table_and_what_to_do():
    flagged(repeats=5, total_ms=140)
    (finding,) = NPlusOneRule().run(datetime.now(tz=UTC))
    assert finding.subject == "dataguardian.scans.views.scan_detail"
    assert finding.evidence["max_repeats"] == 5 and finding.evidence["query_fingerprint"] == SHAPE
    assert "orgs_organization" in finding.recommendation and "select_related" in finding.recommendation


@pytest.mark.parametrize("repeats, total_ms", [(4, 500), (12, 90)])
def test_quiet_below_either_threshold(repeats, total_ms):
    flagged(repeats, total_ms)
    assert NPlusOneRule().run(datetime.now(tz=UTC)) == []
