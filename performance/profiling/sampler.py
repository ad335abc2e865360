"""The always-on sampling profiler: one thread per process reading the stacks of threads in a span.

About PERFORMANCE_PROFILER_HZ (97, a prime, so it does not tick in step
with timers of 10 or 100 ms) times a second the thread looks at
:data:`~performance.profiling.spans.active`; when no thread is inside a
span it does nothing else. Otherwise ``sys._current_frames()`` gives every
thread's current frame and the sampler walks the stacks of the active ones
(at most PERFORMANCE_PROFILER_MAX_DEPTH frames from the leaf), labels each
frame ``module.qualname`` (no file paths, no line numbers, no values) and
counts the stack under the span's (kind, name, minute). ``take()`` hands the
flusher the top PERFORMANCE_PROFILER_TOP_STACKS stacks of each finished
minute, folded root first (``a;b;c``), the rest summed as ``(other)``.

It reads frames, never changes them, so the sampled threads pay nothing;
the sampler's own CPU time is measured (``thread_time``) and written with
each process sample.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from performance import conf
from performance.profiling.spans import active

logger = logging.getLogger(__name__)

OTHER = "(other)"
TRUNCATED = "(truncated)"
MAX_STACKS_PER_KEY = 1000  # distinct stacks kept per (kind, name, minute) before they count as (other)
MAX_LABELS = 50_000


class StackSampler:
    """Counts of stacks per span; ``sample_once()`` is one tick, ``start()`` runs them on a thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stacks: dict[tuple[str, str, int], dict[tuple[str, ...], int]] = {}
        self.labels: dict[object, str] = {}
        self.samples = 0
        self.thread: threading.Thread | None = None
        self.stop_event = threading.Event()
        self.cpu_seconds = 0.0  # the sampler thread's own CPU time

    # -- sampling ----------------------------------------------------------
    def sample_once(self) -> int:
        """Sample every thread that is inside a span now; return how many were sampled."""
        if not active:
            return 0
        owners = dict(active)  # a copy: request threads add and remove entries meanwhile
        frames = sys._current_frames()
        max_depth = conf.get("PERFORMANCE_PROFILER_MAX_DEPTH")
        minute = int(time.time() // 60)
        sampled = 0
        for tid, owner in owners.items():
            frame = frames.get(tid)
            if frame is None:
                continue
            stack = self._stack(frame, max_depth)
            key = (owner.kind, owner.span, minute)
            with self.lock:
                counts = self.stacks.get(key)
                if counts is None:
                    counts = self.stacks[key] = {}
                if stack not in counts and len(counts) >= MAX_STACKS_PER_KEY:
                    stack = (OTHER,)
                counts[stack] = counts.get(stack, 0) + 1
            sampled += 1
        self.samples += sampled
        return sampled

    def _stack(self, frame, max_depth: int) -> tuple[str, ...]:
        """Labels from the leaf up, at most ``max_depth``, plus a marker when cut."""
        labels = self.labels
        stack = []
        depth = 0
        while frame is not None:
            if depth == max_depth:
                stack.append(TRUNCATED)
                break
            code = frame.f_code
            label = labels.get(code)
            if label is None:
                label = f"{frame.f_globals.get('__name__', '?')}.{code.co_qualname}"
                if len(labels) < MAX_LABELS:
                    labels[code] = label
            stack.append(label)
            frame = frame.f_back
            depth += 1
        return tuple(stack)

    # -- handing over --------------------------------------------------------
    def take(self, everything: bool = True) -> dict[tuple[str, str, int], list[tuple[str, int]]]:
        """``{(kind, name, minute): [(folded stack, count), ...]}``, top N each, of the finished
        minutes (or ``everything``); what is taken is reset."""
        top = conf.get("PERFORMANCE_PROFILER_TOP_STACKS")
        now = int(time.time() // 60)
        with self.lock:
            if everything:
                stacks, self.stacks = self.stacks, {}
            else:
                stacks = {key: self.stacks.pop(key) for key in [k for k in self.stacks if k[2] < now]}
        result = {}
        for key, counts in stacks.items():
            ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
            kept = [(";".join(reversed(stack)), n) for stack, n in ranked[:top]]
            rest = sum(n for _, n in ranked[top:])
            if rest:
                kept.append((OTHER, rest))
            result[key] = kept
        return result

    def put_back(self, taken: dict[tuple[str, str, int], list[tuple[str, int]]]) -> None:
        """Merge folded stacks whose write failed back in."""
        with self.lock:
            for key, folded in taken.items():
                counts = self.stacks.setdefault(key, {})
                for text, n in folded:
                    stack = tuple(reversed(text.split(";")))
                    counts[stack] = counts.get(stack, 0) + n

    def reset(self) -> None:
        self.lock = threading.Lock()
        self.stacks = {}
        self.thread = None
        self.stop_event = threading.Event()

    # -- the thread ----------------------------------------------------------
    def start(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            return
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="performance-sampler", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(5)
        self.thread = None

    def _run(self) -> None:
        interval = 1.0 / max(1, conf.get("PERFORMANCE_PROFILER_HZ"))
        stop = self.stop_event
        sleep = time.sleep
        started = time.thread_time()
        failed = False
        while not stop.is_set():
            sleep(interval)
            try:
                self.sample_once()
                failed = False
            except Exception:  # noqa: BLE001 - a broken sample must never stop the process
                if not failed:
                    logger.warning("stack sampler: a sample failed", exc_info=True)
                failed = True
            self.cpu_seconds = time.thread_time() - started


sampler = StackSampler()
