"""Helpers for tests and benches: a private redis-server and a private PostgreSQL to stop and start.

    server = PrivateRedis(workdir, persistent=True).start()
    server.kill(); server.start(); server.pause(); server.resume(); server.kill()

    cluster = PrivatePostgres(workdir).start()     # initdb on first start
    cluster.url                                    # postgres://postgres@127.0.0.1:<port>/postgres
    cluster.stop(); cluster.start(); cluster.destroy()

Each runs on a free port chosen by the OS, binds 127.0.0.1 only, and keeps
its files in ``workdir``. The caller stops it when done (tests do it in a
fixture's ``finally``). Never the shared servers: tests that need a server
to go away use these.
"""

from __future__ import annotations

import os
import pwd
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


PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def postgres_binaries_available() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


class PrivatePostgres:
    """A PostgreSQL cluster of our own in ``workdir``: initdb once, then start and stop it at will.

    PostgreSQL refuses to run as root; as root the cluster runs as the
    ``postgres`` system user (``user``), which then owns ``workdir`` and must
    be able to reach it (without ``workdir``, a fresh folder under the system
    temporary folder is used; pytest's ``tmp_path`` is private to root).
    Trust authentication on 127.0.0.1 only; no Unix socket outside ``workdir``.
    """

    def __init__(self, workdir: Path | None = None, user: str = "postgres"):
        self.own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="private-pg-"))
        self.data = self.workdir / "pgdata"
        self.port = free_port()
        self.user = user
        self._account = pwd.getpwnam(user) if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        account = self._account

        def drop_privileges() -> None:
            if account is not None:
                os.setgid(account.pw_gid)
                os.setuid(account.pw_uid)

        subprocess.run([str(PG_BIN / args[0]), *args[1:]], check=True, timeout=timeout,
                       preexec_fn=drop_privileges, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       cwd=self.workdir)

    def start(self, timeout: float = 30.0) -> PrivatePostgres:
        if not (self.data / "PG_VERSION").exists():
            self.workdir.mkdir(parents=True, exist_ok=True)
            if self._account is not None:
                os.chown(self.workdir, self._account.pw_uid, self._account.pw_gid)
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync",
                      "--encoding=UTF8", "--locale=C")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port}"
                   f" -c unix_socket_directories='{self.data}'"
                   " -c fsync=off -c max_connections=40 -c shared_buffers=16MB")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-t", str(int(timeout)),
                  "-l", str(self.workdir / "postgres.log"), "start", timeout=timeout + 10)
        return self

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (``immediate``: as if it crashed; ``fast``: cleanly)."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        """Stop the server and remove its files (and the folder, when it made it)."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.workdir if self.own_workdir else self.data, ignore_errors=True)
