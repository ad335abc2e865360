"""gunicorn settings read from the project folder: the metrics hooks of ``performance``.

Workers, threads and the worker class are given on the command line (README, "Production").
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataguardian.settings")

from performance.gunicorn import child_exit, on_starting, post_fork  # noqa: E402, F401
