"""Opens a query scope per request and names it after the view."""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import MiddlewareNotUsed
from django.core.signals import request_finished
from django.db import close_old_connections

from performance.db import conf, recorder


@lru_cache(maxsize=2048)  # views are few and long-lived; the name is asked per request
def view_name(view_func) -> str:
    """``module.qualname`` of a view function or class-based view."""
    target = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None) or view_func
    module = getattr(target, "__module__", "") or ""
    name = getattr(target, "__qualname__", None) or type(target).__qualname__
    return f"{module}.{name}"[:200]


class QueryCountMiddleware:
    """Counts the queries and database time of each request (``performance.db.recorder``).

    Put it first in MIDDLEWARE so the queries of other middleware count too.
    The buffer is flushed after the response has gone out (``request_finished``).
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        if not conf.get("PERFORMANCE_DB_INSTRUMENTATION"):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        token = recorder.begin("request", "unresolved")
        try:
            return self.get_response(request)
        finally:
            recorder.end(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        recorder.rename(view_name(view_func))


def _flush_after_response(sender, **kwargs) -> None:
    if recorder.maybe_flush():
        # Give back the connection the flush took, as the request's own was.
        close_old_connections()


request_finished.connect(_flush_after_response, dispatch_uid="performance.db.flush_after_response")
