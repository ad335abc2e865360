"""The production topology of the README, started from this checkout on private servers.

A private PostgreSQL (the product's database) and a second one (the database
users scan), a private redis-server (cache, broker, results), gunicorn
(gthread), one Celery worker with two pool processes, beat, and the system
monitor when the checkout has one (a ``manage.py`` command named like
``*monitor*``). Uploads go to ``MEDIA_ROOT``, a bind mount of a folder of
the run, which a fault remounts read-only. Every process is a descendant of
the soak (it is made a child subreaper, so orphans come back to it) and
``stop()`` ends them all, whatever state the faults left.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil
from celery import Celery

from bench.lib.server import PYTHON, ROOT, GunicornServer, bench_env, manage, production_env
from performance.testing import PrivatePostgres, PrivateRedis

PR_SET_CHILD_SUBREAPER = 36
CELERY = [PYTHON, "-m", "celery", "-A", "dataguardian.celery"]


def become_subreaper() -> None:
    """Orphaned descendants (a killed postmaster's backends, a pool child) are re-parented to us."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def kill_descendants(timeout: float = 10.0) -> list[str]:
    """SIGTERM then SIGKILL every process below this one; return what had to be killed."""
    me = psutil.Process()
    children = me.children(recursive=True)
    for child in children:
        try:
            child.send_signal(signal.SIGCONT)
            child.terminate()
        except psutil.NoSuchProcess:
            pass
    _gone, alive = psutil.wait_procs(children, timeout=timeout)
    killed = []
    for child in alive:
        try:
            killed.append(f"{child.pid} {' '.join(child.cmdline()[:3])}")
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)
    return killed


class Process:
    """A long-running child with a log file of its own."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logdir: Path):
        self.name, self.args, self.env = name, args, env
        self.log = logdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc and self.proc.poll() is None else None

    def stop(self, timeout: float = 20.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def exited(self) -> int | None:
        """The exit status if the process ended by itself (not through ``stop()``), else None."""
        return self.proc.poll() if self.proc is not None else None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Topology:
    def __init__(self, workdir: Path, web_workers: int, web_threads: int, folders: list[str],
                 stale_minutes: int = 15):
        self.workdir = workdir
        self.logdir = workdir / "logs"
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.web_workers, self.web_threads = web_workers, web_threads
        self.db = PrivatePostgres(workdir / "pg-app", settings={"max_connections": "150"})
        self.target = PrivatePostgres(workdir / "pg-target", settings={"max_connections": "30",
                                                                        "shared_buffers": "16MB"})
        (workdir / "redis").mkdir()
        self.redis = PrivateRedis(workdir / "redis", persistent=True)
        self.media_disk, self.media = workdir / "media-disk", workdir / "media"
        self.disk_fault = "unavailable"
        self.folders = folders
        self.stale_minutes = stale_minutes
        self.web: GunicornServer | None = None
        self.worker = self.beat = self.monitor = None
        self.monitor_command = ""
        self.env: dict[str, str] = {}

    # -- start --------------------------------------------------------------
    def start_servers(self) -> None:
        self.db.start()
        self.target.start()
        self.redis.start()
        import psycopg

        with psycopg.connect(self.db.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE dg_soak")
        self._mount_media()
        self.env = production_env(
            DATABASE_URL=self.db.url("dg_soak"), REDIS_URL=self.redis.url,
            MEDIA_ROOT=str(self.media), DG_SCAN_FOLDERS=",".join(self.folders),
            # The operator allow-list of database hosts (issue 11's setting); ignored where unknown.
            DG_SCAN_DATABASE_HOSTS=f"127.0.0.1:{self.target.port}",
            DB_POOL_MAX_SIZE=str(self.web_threads), DB_POOL_MIN_SIZE="2",
            DG_SCANNER_CACHE_DIR=str(self.workdir / "scanner-cache"), LOG_LEVEL="WARNING",
            DG_VAR_DIR=str(self.workdir / "var"),
            DG_STALE_SCAN_MINUTES=str(self.stale_minutes),
        )

    def _mount_media(self) -> None:
        """MEDIA_ROOT as a bind mount, so a fault can make it refuse writes (read-only remount)."""
        self.media_disk.mkdir()
        self.media.mkdir()
        result = subprocess.run(["mount", "--bind", str(self.media_disk), str(self.media)],
                                capture_output=True, text=True)
        self.disk_fault = "read-only bind mount" if result.returncode == 0 else \
            f"unavailable ({result.stderr.strip() or 'mount failed'})"

    def migrate_and_seed(self, seed_code: str) -> str:
        manage("migrate", "--noinput", "-v0", env=self.env)
        return manage("shell", "-c", seed_code, env=self.env)

    def start_app(self) -> None:
        env = bench_env(self.env)
        self.web = GunicornServer(env=self.env, workers=self.web_workers, worker_class="gthread",
                                  threads=self.web_threads, startup_timeout=180)
        self.web.start()
        self.worker = Process("worker", CELERY + ["worker", "--concurrency", "2", "--loglevel", "INFO",
                                                  "-n", "soak@%h"], env, self.logdir).start()
        self.start_beat()
        self.monitor_command = self._find_monitor()
        if self.monitor_command:
            self.monitor = Process("monitor", [PYTHON, str(ROOT / "manage.py"), self.monitor_command],
                                   env, self.logdir).start()
        self._wait_for_worker()

    def start_beat(self) -> None:
        self.beat = Process("beat", CELERY + ["beat", "--loglevel", "INFO", "--schedule",
                                              str(self.workdir / "celerybeat")],
                            bench_env(self.env), self.logdir).start()

    def _find_monitor(self) -> str:
        commands = manage("help", "--commands", env=self.env).split()
        return next((c for c in commands if "monitor" in c), "")

    def celery(self) -> Celery:
        return Celery(broker=self.env["REDIS_URL"])

    def _wait_for_worker(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        app = self.celery()
        while time.monotonic() < deadline:
            if app.control.inspect(timeout=1.0).ping():
                return
            if self.worker.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited:\n{self.worker.tail()}")
        raise RuntimeError(f"celery worker did not answer within {timeout:.0f}s:\n{self.worker.tail()}")

    # -- supervision ---------------------------------------------------------
    def supervise(self, stop, log) -> list[tuple[float, str]]:
        """What a process supervisor does in production: start again a process that exited.

        Runs until ``stop`` is set; returns (monotonic time, what exited and its last error) per restart.
        """
        restarts: list[tuple[float, str]] = []
        while not stop.wait(1.0):
            for part in (self.worker, self.beat, self.monitor):
                status = part.exited() if part is not None else None
                if status is None:
                    continue
                errors = [line for line in part.tail(5000).splitlines()
                          if "CRITICAL" in line or "Unrecoverable" in line]
                line = f"{part.name} exited with status {status}; last error: " \
                       f"{errors[-1][:200] if errors else 'none logged'}"
                restarts.append((time.monotonic(), line))
                log(f"supervisor: {line}; starting it again")
                part.start()
        return restarts

    # -- faults -------------------------------------------------------------
    def disk_read_only(self, read_only: bool) -> None:
        mode = "remount,bind,ro" if read_only else "remount,bind,rw"
        subprocess.run(["mount", "-o", mode, str(self.media)], check=True, capture_output=True)

    def running_chunk_pid(self, timeout: float) -> int | None:
        """The pid of a pool process running a scan chunk now (asked of the worker), or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                active = self.celery().control.inspect(timeout=1.0).active() or {}
            except Exception:  # noqa: BLE001 - the broker may have just come back; ask again
                time.sleep(0.3)
                continue
            for tasks in active.values():
                for task in tasks:
                    if task.get("name", "").endswith("scan_chunk") and task.get("worker_pid"):
                        return int(task["worker_pid"])
            time.sleep(0.3)
        return None

    def web_worker_pids(self) -> list[int]:
        if self.web is None or self.web.pid is None:
            return []
        return [p.pid for p in psutil.Process(self.web.pid).children()]

    # -- memory -------------------------------------------------------------
    def processes(self) -> dict[str, list[int]]:
        """The app's processes by role (pids), for the memory figures."""
        roles: dict[str, list[int]] = {}

        def add(role: str, pid: int | None, children: bool = False) -> None:
            if not pid:
                return
            try:
                proc = psutil.Process(pid)
                roles.setdefault(role, []).append(pid)
                if children:
                    roles.setdefault(f"{role} children", []).extend(c.pid for c in proc.children())
            except psutil.NoSuchProcess:
                pass

        add("gunicorn master", self.web.pid if self.web else None)
        roles["gunicorn workers"] = self.web_worker_pids()
        add("celery worker", self.worker.pid if self.worker else None, children=True)
        add("beat", self.beat.pid if self.beat else None)
        add("monitor", self.monitor.pid if self.monitor else None)
        return roles

    # -- stop ---------------------------------------------------------------
    def stop(self) -> list[str]:
        """Stop everything (whatever the faults left); return the processes that had to be killed."""
        for part in (self.monitor, self.beat, self.worker):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # noqa: BLE001 - go on stopping the rest
                    pass
        if self.web is not None:
            self.web.stop()
            shutil.copy(self.web._log.name, self.logdir / "gunicorn.log")  # kept with the run's logs
            self.web.__exit__(None, None, None)  # removes its temporary log file
        self.redis.kill()
        for cluster in (self.db, self.target):
            cluster.stop("fast")
        killed = kill_descendants()
        if self.media.is_dir():
            subprocess.run(["umount", "-l", str(self.media)], capture_output=True)
        return killed
