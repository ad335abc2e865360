"""One monitor per host: an exclusive ``flock`` on a file named after the host and the database.

The lock is the operating system's, so it goes with the process that holds
it, however that process ends; a second monitor on the host waits (stand-by)
and takes over when the first one stops.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile

from django.db import connections

from performance import conf


def lock_path(alias: str = "default") -> str:
    database = str(connections[alias].settings_dict.get("NAME", ""))
    digest = hashlib.blake2b(database.encode(), digest_size=6).hexdigest()
    folder = conf.get("PERFORMANCE_MONITOR_LOCK_DIR") or tempfile.gettempdir()
    return os.path.join(folder, f"performance-monitor-{digest}.lock")


class HostLock:
    def __init__(self, path: str):
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if it is free; True when this process holds it."""
        if self.fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
