"""Session middleware that binds the client to the store and refreshes activity.

Use it in place of ``django.contrib.sessions.middleware.SessionMiddleware``.
With a store from another engine it behaves exactly like Django's.
"""

from __future__ import annotations

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse


class SessionMiddleware(DjangoSessionMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        bind_client = getattr(request.session, "bind_client", None)
        if bind_client is not None:
            bind_client(request)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        refresh = getattr(getattr(request, "session", None), "refresh_activity", None)
        if refresh is not None and response.status_code < 500:
            refresh()
        return super().process_response(request, response)
