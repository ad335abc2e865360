"""Bottleneck detection: rules run by beat over what monitoring recorded, with recommendations.

One rule per module (``n_plus_one``, ``slow_query``, ``seq_scan``,
``template_rendering``, ``p95_regression``, ``cache_hit_rate``, ``pool``,
``cpu``, ``memory``, ``celery_wait``), each a :class:`~base.Rule` with
named thresholds (overridable per rule in PERFORMANCE_BOTTLENECK_THRESHOLDS)
that returns :class:`~base.Finding` objects. ``services.run_rules()`` stores
each finding once per fingerprint (``Bottleneck``).
"""
