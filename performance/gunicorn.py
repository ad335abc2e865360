"""gunicorn server hooks for ``performance``'s Prometheus metrics; use them from gunicorn.conf.py:

    from performance.gunicorn import child_exit, on_starting, post_fork  # noqa: F401

``on_starting`` empties the metrics folder when the master starts (files of
processes from an earlier run would be added in); ``post_fork`` starts a
worker's monitoring threads when the application was preloaded in the master
(``--preload``; otherwise the WSGI module starts them); ``child_exit`` drops
a dead worker's live gauges. They read the product's settings.
"""

from __future__ import annotations

import os
import shutil


def empty_metrics_dir(directory: str) -> None:
    if not directory:
        return
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)


def on_starting(server) -> None:
    from performance.metrics import multiprocess_dir  # DJANGO_SETTINGS_MODULE: the product's gunicorn.conf.py

    empty_metrics_dir(multiprocess_dir())


def child_exit(server, worker) -> None:
    from performance import metrics

    metrics.mark_process_dead(worker.pid)


def post_fork(server, worker) -> None:
    from django.apps import apps

    if apps.ready:  # the app was preloaded before the fork; otherwise the WSGI module starts them
        from performance.profiling import runtime

        runtime.start("web")
