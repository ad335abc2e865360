"""What the request middleware does around each request: its span, its metrics, a deep profile.

Kept apart from the middleware class so that the hot path is a handful of
calls: the scope's counters come from ``performance.db``, the span goes to
the in-memory recorder, the Prometheus counters to their (multiprocess)
files. A failure here (a full disk under the metrics files) is logged once
and never reaches the response.
"""

from __future__ import annotations

import logging
from time import perf_counter

from performance import metrics as prometheus
from performance.outage import OutageLog
from performance.profiling.spans import UNRESOLVED, recorder

logger = logging.getLogger(__name__)
metric_writes = OutageLog(logger, "could not update the request metrics")


def route_name(match) -> str:
    """The route pattern's name (``scans:detail``), else its pattern; never the path."""
    if match is None:
        return UNRESOLVED
    return (match.view_name or match.route or UNRESOLVED)[:200]


def finish(request, scope, response, spans: bool, metrics: bool) -> None:
    """Record the request's span and metrics. Never raises."""
    seconds = perf_counter() - scope.start
    status = response.status_code if response is not None else 500
    error = status >= 500
    if spans:
        recorder.record("request", scope.span, seconds, error, scope.seconds, scope.queries,
                        scope.cache_calls, scope.cache_s)
    if metrics:
        try:
            prometheus.observe_request(scope.span, request.method, status, seconds)
        except Exception as exc:  # noqa: BLE001 - metrics must never fail a request
            metric_writes.failed(exc)
