"""Opens a scope per request: its queries, database time and cache calls, recorded as its span.

One middleware for the whole request accounting, so a request pays for one
layer: the ``performance.db`` scope (named after the view for the query
statistics), the request's span (named after its route pattern, for
``performance.profiling``), its Prometheus metrics, and a staff user's deep
profile when asked for (``?_profile=html``). Nothing here writes to the
database; the flusher thread does, every few seconds.
"""

from __future__ import annotations

from functools import lru_cache
from threading import get_ident

from django.core.exceptions import MiddlewareNotUsed

from performance import conf
from performance.db import recorder
from performance.profiling import deep
from performance.profiling.requests import finish, route_name
from performance.profiling.spans import UNRESOLVED, active

_scope_get = recorder.SCOPE.get


@lru_cache(maxsize=2048)  # views are few and long-lived; the name is asked per request
def view_name(view_func) -> str:
    """``module.qualname`` of a view function or class-based view."""
    target = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None) or view_func
    module = getattr(target, "__module__", "") or ""
    name = getattr(target, "__qualname__", None) or type(target).__qualname__
    return f"{module}.{name}"[:200]


class QueryCountMiddleware:
    """Counts the queries, database time and cache calls of each request and records its span.

    Put it first in MIDDLEWARE so the queries of other middleware count too.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.spans = conf.get("PERFORMANCE_PROFILING")
        self.metrics = conf.get("PERFORMANCE_METRICS")
        self.deep = self.spans and conf.get("PERFORMANCE_DEEP_PROFILE")
        if not (conf.get("PERFORMANCE_DB_INSTRUMENTATION") or self.spans or self.metrics):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        token = recorder.begin("request", UNRESOLVED)
        scope = _scope_get()
        tid = get_ident()
        if self.spans:
            active[tid] = scope
        response = None
        try:
            response = self.get_response(request)
        finally:
            active.pop(tid, None)
            recorder.end(token)
            finish(request, scope, response, self.spans, self.metrics)
        if self.deep and deep.requested(request):
            response = deep.finish(request, response, scope.span)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        scope = _scope_get()
        if scope is not None:
            scope.name = view_name(view_func)
            scope.span = route_name(request.resolver_match)
        if self.deep and deep.requested(request):
            deep.begin(request)
