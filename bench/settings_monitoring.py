"""Settings for bench/monitoring_overhead.py only: the product's, in one of four monitoring modes.

BENCH_MONITORING_MODE:
- ``off``: no monitoring at all (no query wrapper, no spans, no metrics: the
  middleware removes itself);
- ``on``: everything of ``performance`` (spans, sampler, flusher, DB
  instrumentation, /metrics), with ``manage.py monitor`` run beside it;
- ``silk``: ours off, django-silk's middleware (its Python profiler off);
- ``prometheus``: ours off, django-prometheus's middleware pair.
A minimal view (``/bench/hello/``) is added to the product's URLs.
"""

import os

from dataguardian.settings import *  # noqa: F403 - a variant of the product's settings
from dataguardian.settings import INSTALLED_APPS, MIDDLEWARE

MODE = os.environ.get("BENCH_MONITORING_MODE", "on")
if MODE not in {"off", "on", "silk", "prometheus"}:
    raise ValueError(f"BENCH_MONITORING_MODE must be off, on, silk or prometheus, not {MODE!r}")

ROOT_URLCONF = "bench.monitoring_urls"
OURS = MODE == "on"
PERFORMANCE_DB_INSTRUMENTATION = OURS
PERFORMANCE_PROFILING = OURS
PERFORMANCE_METRICS = OURS
PERFORMANCE_BACKGROUND_THREADS = OURS
PERFORMANCE_FLUSH_INTERVAL = int(os.environ.get("BENCH_FLUSH_INTERVAL", "10"))
PERFORMANCE_DB_FLUSH_INTERVAL = int(os.environ.get("BENCH_DB_FLUSH_INTERVAL", "30"))
PERFORMANCE_METRICS_ALLOWED_IPS = ["127.0.0.1"]

if MODE == "silk":
    INSTALLED_APPS = [*INSTALLED_APPS, "silk"]
    MIDDLEWARE = [MIDDLEWARE[0], "silk.middleware.SilkyMiddleware", *MIDDLEWARE[1:]]
    SILKY_PYTHON_PROFILER = False
    SILKY_AUTHENTICATION = False
    SILKY_AUTHORISATION = False
elif MODE == "prometheus":
    INSTALLED_APPS = [*INSTALLED_APPS, "django_prometheus"]
    MIDDLEWARE = ["django_prometheus.middleware.PrometheusBeforeMiddleware", *MIDDLEWARE,
                  "django_prometheus.middleware.PrometheusAfterMiddleware"]
