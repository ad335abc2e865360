"""A deep profile of one request, on demand, for staff: pyinstrument, served as a download.

A staff user adds ``?_profile=html`` (or ``_profile=speedscope``) to the URL
of a GET request. The middleware starts pyinstrument's profiler before the
view and stops it after the response is built; the answer is then the
profile instead of the page: pyinstrument's HTML page, or speedscope's JSON
(open it at speedscope's site or its offline app), as an attachment. A
download is never rendered on our origin, so its inline scripts need no
exception in the Content-Security-Policy; ``sandbox`` is set as well.
Anyone else, and any other method, gets the ordinary response.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.http import HttpResponse

from performance import conf

PARAMETER = "_profile"
FORMATS = {"html": ("text/html; charset=utf-8", "html"),
           "speedscope": ("application/json", "speedscope.json")}
ATTRIBUTE = "_performance_profiler"


def requested(request) -> bool:
    """Cheap test for the hot path: is the parameter in the query string at all?"""
    return PARAMETER in request.META.get("QUERY_STRING", "")


def begin(request) -> bool:
    """Start a profile of this request if a staff user asked for one; True when started."""
    if not conf.get("PERFORMANCE_DEEP_PROFILE") or request.method not in ("GET", "HEAD"):
        return False
    fmt = request.GET.get(PARAMETER)
    if fmt not in FORMATS:
        return False
    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return False
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    setattr(request, ATTRIBUTE, (profiler, fmt))
    return True


def finish(request, response, route: str):
    """The profile as a download in place of ``response`` (unchanged when none was taken)."""
    started = getattr(request, ATTRIBUTE, None)
    if started is None:
        return response
    profiler, fmt = started
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    profiler.stop()
    if fmt == "speedscope":
        from pyinstrument.renderers import SpeedscopeRenderer

        body = profiler.output(SpeedscopeRenderer())
    else:
        body = profiler.output_html()
    content_type, extension = FORMATS[fmt]
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", route)[:80] or "request"
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    download = HttpResponse(body, content_type=content_type)
    download["Content-Disposition"] = f'attachment; filename="profile-{slug}-{stamp}.{extension}"'
    download["Content-Security-Policy"] = "sandbox"
    download["Cache-Control"] = "no-store"
    download["X-Profiled-Status"] = str(response.status_code)
    return download
