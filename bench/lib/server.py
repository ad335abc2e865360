"""Start the product under gunicorn on a free local port, for benches.

    from bench.lib.server import GunicornServer

    with GunicornServer(env={"DATABASE_URL": url}, workers=2) as server:
        result = run_load(server.url + "/healthz", concurrency=100, duration=10)

The server binds 127.0.0.1 only, is ready once ``/healthz`` (or the given
path) answers, and is stopped with SIGTERM (then SIGKILL) on exit. The
worker settings default to the project's ``gunicorn.conf.py`` when it
exists; ``workers``, ``worker_class``, ``threads`` and ``extra_args``
override them. Its output goes to a log file whose tail is shown when it
fails to start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").is_dir() else sys.executable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(env: dict[str, str] | None = None, settings: str = "dataguardian.settings") -> dict[str, str]:
    """The environment a bench child process runs with: ours, then ``env``."""
    merged = dict(os.environ)
    merged.update({"DJANGO_SETTINGS_MODULE": settings, "PYTHONUNBUFFERED": "1"})
    merged.update(env or {})
    return merged


def production_env(**extra: str) -> dict[str, str]:
    """Settings as production runs them (DEBUG off, plain HTTP on 127.0.0.1).

    Benches measure this, not the development server with its toolbar.
    Throw-away secrets are generated; ``extra`` adds or overrides variables.
    """
    import secrets

    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DG_FINDING_HASH_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
    }
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str] | None = None, settings: str = "dataguardian.settings") -> str:
    """Run ``manage.py ARGS`` with the bench environment; raise with its output on failure."""
    proc = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT, env=bench_env(env, settings), capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


class ServerError(RuntimeError):
    """gunicorn did not come up (its log tail is in the message)."""


class GunicornServer:
    """One gunicorn master with its workers, bound to 127.0.0.1:<free port>."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        settings: str = "dataguardian.settings",
        workers: int | None = None,
        worker_class: str | None = None,
        threads: int | None = None,
        extra_args: list[str] | tuple[str, ...] = (),
        ready_path: str = "/healthz",
        startup_timeout: float = 60.0,
        config: str | Path | None = None,
    ):
        self.env = bench_env(env, settings)
        self.port = free_port()
        self.host = "127.0.0.1"
        self.url = f"http://{self.host}:{self.port}"
        self.ready_path = ready_path
        self.startup_timeout = startup_timeout
        default_config = ROOT / "gunicorn.conf.py"
        if config is None and default_config.exists():
            config = default_config
        args = [PYTHON, "-m", "gunicorn", "dataguardian.wsgi:application"]
        args += ["--bind", f"{self.host}:{self.port}"]
        if config:
            args += ["--config", str(config)]
        if workers is not None:
            args += ["--workers", str(workers)]
        if worker_class is not None:
            args += ["--worker-class", worker_class]
        if threads is not None:
            args += ["--threads", str(threads)]
        # Benches measure the app, not the access log.
        args += ["--access-logfile", "/dev/null", *extra_args]
        self.args = args
        self.proc: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> GunicornServer:
        self.proc = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            if self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise ServerError(f"gunicorn not ready after {self.startup_timeout:.0f}s:\n{self.log_tail()}")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + self.ready_path, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the master (graceful), SIGKILL its process group if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        text = Path(self._log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def __enter__(self) -> GunicornServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)
