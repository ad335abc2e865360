"""Serve web, Celery worker, beat and the system monitor together; Ctrl-C stops them all.

For development and `make run`. Production runs them as separate processes
(see README: gunicorn, `celery worker`, `celery beat`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


def _commands(address: str) -> dict[str, list[str]]:
    python = sys.executable
    manage = os.path.join(settings.BASE_DIR, "manage.py")
    celery = [python, "-m", "celery", "-A", "dataguardian.celery"]
    return {
        "web": [python, manage, "runserver", "--noreload", address],
        "worker": celery + ["worker", "--loglevel", "INFO", "--concurrency", "2"],
        "beat": celery + ["beat", "--loglevel", "INFO", "--schedule", str(settings.VAR_DIR / "celerybeat")],
        # The host's system monitor (performance.monitor), one per host.
        "monitor": [python, manage, "monitor"],
    }


class Command(BaseCommand):
    help = "Run the web server, a Celery worker, Celery beat and the system monitor in one command."

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, address: str, **options):
        from performance.gunicorn import empty_metrics_dir
        from performance.metrics import multiprocess_dir

        # This command is the processes' parent, as gunicorn's master is in production.
        empty_metrics_dir(multiprocess_dir())
        processes: dict[str, subprocess.Popen] = {}
        for name, command in _commands(address).items():
            processes[name] = subprocess.Popen(command, cwd=settings.BASE_DIR)
        self.stdout.write(
            f"Serving http://{address}/ with a Celery worker, beat and the system monitor. Ctrl-C stops all."
        )
        stopping = False

        def stop(signum, frame):  # noqa: ARG001 - signal handler signature
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with status {process.returncode}; stopping.")
                        exit_code = process.returncode or 1
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            deadline = time.monotonic() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
        if exit_code:
            raise SystemExit(exit_code)
