"""``@profiled``: a span around any function or block.

    from performance.profiling import profiled

    @profiled                          # named "module.qualname"
    def build_report(scan_id): ...

    @profiled(name="reports.build")    # or a name of your own
    def build(scan_id): ...

    with profiled("reports.render"):   # a block
        ...

The wrapped function keeps its name, docstring and signature
(``functools.wraps``); its return value and any exception it raises pass
through unchanged. Async functions get an async wrapper. Inside a request
or task, the span also gets the queries, database time and cache calls made
during the call (the scope's counters before and after). The added cost is
two clock reads and an update of the calling thread's own span table.
"""

from __future__ import annotations

import functools
import inspect
from contextlib import nullcontext
from threading import get_ident
from time import perf_counter

from performance.db.recorder import SCOPE
from performance.profiling.spans import Owner, active, enabled, recorder, switch

_scope_get = SCOPE.get
_record = recorder.record_key


class Span:
    """A span around a block: ``with Span("function", "name"):``. Not reentrant; make one per use."""

    __slots__ = ("key", "start", "scope", "before", "owner_tid")

    def __init__(self, kind: str, name: str):
        self.key = (kind, name)

    def __enter__(self) -> Span:
        self.scope = scope = _scope_get()
        if scope is None:
            self.owner_tid, self.before = _claim(self.key), None
        else:
            self.owner_tid = None
            self.before = (scope.queries, scope.seconds, scope.cache_calls, scope.cache_s)
        self.start = perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        _finish(self.key, perf_counter() - self.start, exc_type is not None, self.scope, self.before,
                self.owner_tid)


def _claim(key: tuple[str, str]) -> int | None:
    """Outside a request or task: mark the thread as inside this span for the sampler, unless it is
    inside another one already (then None). A request's or task's thread is marked already."""
    tid = get_ident()
    if tid in active:
        return None
    active[tid] = Owner(*key)
    return tid


def _finish(key, seconds, error, scope, before, owner_tid) -> None:
    if owner_tid is not None:
        active.pop(owner_tid, None)
    if before is None:
        _record(key, seconds, error)
    else:
        _record(key, seconds, error, scope.seconds - before[1], scope.queries - before[0],
                scope.cache_calls - before[2], scope.cache_s - before[3])


def _wrap(func, name: str):
    key = ("function", name)
    if inspect.iscoroutinefunction(func):
        @functools.wraps(func)
        async def async_wrapper(*args, **kwargs):
            if not enabled():
                return await func(*args, **kwargs)
            with Span(*key):
                return await func(*args, **kwargs)

        return async_wrapper

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        on = switch.on
        if on is None:
            on = enabled()
        if not on:
            return func(*args, **kwargs)
        scope = _scope_get()
        if scope is None:
            owner_tid, before = _claim(key), None
        else:
            owner_tid, before = None, (scope.queries, scope.seconds, scope.cache_calls, scope.cache_s)
        start = perf_counter()
        try:
            result = func(*args, **kwargs)
        except BaseException:
            _finish(key, perf_counter() - start, True, scope, before, owner_tid)
            raise
        _finish(key, perf_counter() - start, False, scope, before, owner_tid)
        return result

    return wrapper


def profiled(target=None, *, name: str | None = None):
    """Decorate a function (``@profiled``, ``@profiled(name=...)``) or open a block (``profiled("name")``)."""
    if isinstance(target, str):
        return Span("function", target[:200]) if enabled() else nullcontext()
    if target is None:
        return lambda func: _wrap(func, (name or f"{func.__module__}.{func.__qualname__}")[:200])
    if not callable(target):
        raise TypeError(f"profiled() takes a function or a span name, not {type(target).__name__}")
    return _wrap(target, (name or f"{target.__module__}.{target.__qualname__}")[:200])
