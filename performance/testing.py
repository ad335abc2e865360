"""Helpers for tests and benches: a private redis-server and PostgreSQL to stop and start.

    server = PrivateRedis(workdir, persistent=True).start()
    server.kill(); server.start(); server.pause(); server.resume(); server.kill()

    cluster = PrivatePostgres().start()      # initdb into a temporary folder, then postgres
    cluster.url("dg")                        # postgres://postgres@127.0.0.1:<port>/dg
    cluster.restart(); cluster.stop(); cluster.start(); cluster.kill(); cluster.remove()

Each runs on a free port chosen by the OS, binds 127.0.0.1 only, and keeps
its files in its own folder. The caller stops them when done (tests do it in
a fixture's ``finally``); the shared servers of a machine are never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own: start, kill, pause (SIGSTOP) and resume it."""

    def __init__(self, workdir: Path, persistent: bool = True):
        self.port = free_port()
        self.workdir = Path(workdir)
        # With an append-only file the data survives a restart (the recovery
        # tests need Redis to come back still holding the old values).
        self.persistent = persistent
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> PrivateRedis:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else \
            ["--appendonly", "no"]
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--dir", str(self.workdir), *persistence],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = self.client()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"private redis-server on port {self.port} did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a paused server cannot die
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2)


PG_BIN = Path(os.environ.get("DG_PG_BIN", "/usr/lib/postgresql/15/bin"))


def postgres_binaries_available(bin_dir: Path = PG_BIN) -> bool:
    return all((Path(bin_dir) / name).exists() for name in ("initdb", "postgres"))


class PrivatePostgres:
    """A PostgreSQL cluster of our own: initdb on first start, then start, stop, restart, kill.

    The postmaster is our child (``postgres -D``, not ``pg_ctl``'s daemon), in
    its own process group, so ``kill()`` takes its backends down with it like a
    crash, and the next ``start()`` runs crash recovery. Running as root (the
    CI machine), the cluster belongs to the ``postgres`` system user, as
    PostgreSQL refuses to run as root. Trust authentication, user
    ``postgres``, 127.0.0.1 only; ``settings`` become ``-c name=value``.
    """

    def __init__(self, workdir: Path | None = None, settings: dict[str, str] | None = None,
                 bin_dir: Path = PG_BIN):
        self.bin_dir = Path(bin_dir)
        self._own_dir = workdir is None
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="dg-private-pg-"))
        self.datadir = self.workdir / "data"
        self.port = free_port()
        self.settings = {"max_connections": "100", "fsync": "off", **(settings or {})}
        self.process: subprocess.Popen | None = None
        self._log = self.workdir / "postgres.log"
        self._user = "postgres" if os.geteuid() == 0 else None

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _initdb(self) -> None:
        if (self.datadir / "PG_VERSION").exists():
            return
        self.datadir.mkdir(parents=True, exist_ok=True)
        if self._user:
            os.chmod(self.workdir, 0o755)  # the postgres user must reach its data folder
            shutil.chown(self.datadir, self._user, self._user)
        result = subprocess.run(
            [str(self.bin_dir / "initdb"), "-D", str(self.datadir), "-U", "postgres", "--auth=trust",
             "--encoding=UTF8", "--locale=C", "--no-sync"],
            capture_output=True, text=True, user=self._user,
        )
        if result.returncode != 0:
            hint = " (every folder above it must be searchable by the postgres user)" if self._user else ""
            raise RuntimeError(f"initdb in {self.datadir} failed{hint}:\n{result.stderr.strip()}")

    def start(self, timeout: float = 30.0) -> PrivatePostgres:
        """initdb (first time), start the postmaster and wait until it accepts connections."""
        if self.running:
            return self
        self._initdb()
        options = ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.datadir}"]
        for name, value in self.settings.items():
            options += ["-c", f"{name}={value}"]
        log = self._log.open("ab")
        try:
            self.process = subprocess.Popen(
                [str(self.bin_dir / "postgres"), "-D", str(self.datadir), "-p", str(self.port), *options],
                stdout=log, stderr=subprocess.STDOUT, user=self._user, start_new_session=True,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"private postgres exited with {code}:\n{self.log_tail()}")
            if self.accepts_connections():
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"private postgres on port {self.port} did not start:\n{self.log_tail()}")

    def accepts_connections(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def stop(self, mode: str = "fast", timeout: float = 30.0) -> None:
        """Shut down: ``fast`` (SIGINT: sessions are ended, work is kept), ``smart`` or ``immediate``."""
        signals = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}
        if not self.running:
            self.process = None
            return
        self.process.send_signal(signals[mode])
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def restart(self, mode: str = "fast") -> PrivatePostgres:
        self.stop(mode)
        return self.start()

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend (its process group), as a crash would."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self.process = None

    def remove(self) -> None:
        """Stop the server (if running) and delete the cluster's folder, if this object made it."""
        if self.running:
            self.stop("immediate")
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        else:
            shutil.rmtree(self.datadir, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
