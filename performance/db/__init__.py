"""The database performance layer: pool statistics, query instrumentation,
slow-query and N+1 capture, pg_stat_statements snapshots, index audit.

``setup()`` is called from the app's ``ready()``.
"""

from __future__ import annotations

import atexit


def setup() -> None:
    """Hook the execute wrapper, the Celery task scopes and spans, and the exit flush."""
    from performance.db import celery_signals, instrumentation, recorder

    if instrumentation.setup():
        atexit.register(recorder.maybe_flush, force=True)
    celery_signals.setup()
