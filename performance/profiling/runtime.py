"""Start and stop a process's monitoring threads: the flusher and the stack sampler.

``start(role)`` is called by the product's WSGI/ASGI module (role ``web``)
and, through Celery's ``worker_process_init``, in each worker process
(``worker``); it does nothing when PERFORMANCE_BACKGROUND_THREADS is off
(the test settings) and nothing the second time. A forked child starts
afresh: threads do not survive ``fork``, and a lock held at that moment by
another thread would never be released, so the recorder and sampler are
reset in the child (``os.register_at_fork``). At exit the flusher writes
what is left.
"""

from __future__ import annotations

import atexit
import os
import threading

from performance import conf
from performance.profiling.flusher import Flusher
from performance.profiling.sampler import sampler
from performance.profiling.spans import active, recorder

_lock = threading.Lock()
_state: dict = {"pid": None, "flusher": None}


def start(role: str) -> bool:
    """Start this process's flusher (and sampler, when profiling is on); True if started now."""
    if not conf.get("PERFORMANCE_BACKGROUND_THREADS"):
        return False
    with _lock:
        if _state["pid"] == os.getpid():
            return False
        _state["pid"] = os.getpid()
        flusher = _state["flusher"] = Flusher(role)
        flusher.start()
        if conf.get("PERFORMANCE_PROFILING"):
            sampler.start()
    return True


def stop(final_flush: bool = True) -> None:
    """Stop the threads (tests, benches, exit); write what is left unless told not to."""
    with _lock:
        flusher, _state["flusher"], _state["pid"] = _state["flusher"], None, None
    sampler.stop()
    if flusher is not None:
        flusher.stop(final_flush)


def running() -> bool:
    return _state["pid"] == os.getpid() and _state["flusher"] is not None


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()
    _state["pid"], _state["flusher"] = None, None
    recorder.reset()
    sampler.reset()
    active.clear()


def _at_exit() -> None:
    if running():
        stop(final_flush=True)


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_at_exit)
