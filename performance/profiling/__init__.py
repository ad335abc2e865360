"""Spans and the sampling profiler of ``performance``.

    from performance.profiling import profiled

``@profiled`` (``decorator.py``) times any function or block; the request
middleware (``performance.db.middleware``) and the Celery signals
(``performance.db.celery_signals``) open a span per request and task. All
of them feed one per-process recorder (``spans.py``), which the flusher
thread (``flusher.py``) writes in batches; the sampler thread
(``sampler.py``) counts the stacks of threads inside a span. ``runtime``
starts both threads; ``rollup`` merges the raw rows; ``deep`` is the
on-demand pyinstrument profile of one request.
"""

from performance.profiling.decorator import Span, profiled

__all__ = ["Span", "profiled"]
