"""One throttle for every way to sign in, on django-axes.

axes' authentication backend runs before Django's, so every ``authenticate()``
counts: the sign-in form (``/accounts/login/``), the admin's
(``/admin/login/``) and any other. Failures are counted in the default cache
per (username, client address) and per address alone. Past
``DG_SIGNIN_MAX_FAILURES`` for the pair, or ten times that for the address
(password spraying over many usernames), sign-in answers 429 for
``DG_SIGNIN_LOCKOUT_SECONDS`` without checking the password: a correct one
does not sign in either. Password-reset requests count against the same
pair (the address given as username) and are refused while it is locked, so
the reset form is no way around the throttle and no mail cannon.

A cache outage must not lock everyone out nor stop sign-in: the handler
then counts nothing and locks nothing (logged).
"""

from __future__ import annotations

import logging
import math

from axes.handlers.cache import AxesCacheHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cache, get_client_cache_keys, get_failure_limit
from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sessions_ext.client import client_ip

logger = logging.getLogger(__name__)

ADDRESS_FACTOR = 10  # an address may fail this many times more, over all usernames
LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # the pair's key, then the address's


def failure_limit(request: HttpRequest | None = None, credentials: dict | None = None) -> int:
    return settings.DG_SIGNIN_MAX_FAILURES


def client_address(request: HttpRequest) -> str:
    """The client address as the sessions see it (SESSIONS_CLIENT_IP_HEADER behind a proxy)."""
    return client_ip(request) or "unknown"


def username_of(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username tried, compared without case or blanks: ``Anna `` counts as ``anna``."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return username.strip().lower() if username else username


def client_str(username, ip_address, user_agent, path_info, request) -> str:
    """How axes names a client in the log: never the username tried (often a mistyped password)."""
    return f"{{ip_address: {ip_address!r}, path_info: {path_info!r}}}"


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """The 429 page, for the sign-in form, the admin's and the reset form alike."""
    minutes = math.ceil(settings.DG_SIGNIN_LOCKOUT_SECONDS / 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


class SigninThrottle(AxesCacheHandler):
    """axes' cache handler with an address-wide limit ten times the pair's, failing open."""

    def __init__(self) -> None:  # the cache is looked up per call: settings may change (tests)
        pass

    @property
    def cache(self):  # type: ignore[override]
        return get_cache()

    def get_failures(self, request, credentials: dict | None = None) -> int:
        try:
            keys = get_client_cache_keys(request, credentials)
            counts = [self.cache.get(key, default=0) or 0 for key in keys]
        except Exception:  # noqa: BLE001 - a cache outage must not stop sign-in
            logger.warning("sign-in throttle: cache unavailable, not throttling", exc_info=True)
            return 0
        pair = counts[0] if counts else 0
        address = counts[1] if len(counts) > 1 else 0
        return max(pair, address // ADDRESS_FACTOR)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        try:
            super().user_login_failed(sender, credentials, request, **kwargs)
        except Exception:  # noqa: BLE001
            logger.warning("sign-in throttle: cache unavailable, failure not counted", exc_info=True)
            return
        if request is not None and getattr(request, "axes_locked_out", False):
            # axes judged by the largest count, the address's; judge by ours.
            request.axes_locked_out = (
                self.get_failures(request, credentials) >= get_failure_limit(request, credentials))

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        """A success clears the pair's failures, not the address's (a sprayer with one
        good account must not wipe its own count)."""
        try:
            keys = get_client_cache_keys(request, {"username": user.get_username()})
            self.cache.delete(keys[0])
        except Exception:  # noqa: BLE001
            logger.warning("sign-in throttle: cache unavailable, counter not cleared", exc_info=True)

    # axes' save and delete signals of its AccessAttempt rows (an edit or a delete in the admin)
    # call these on the configured handler; its cache handler lacks them. The counts live in the
    # cache and nothing here writes or reads those rows, so a row saved or deleted changes no count.
    def post_save_access_attempt(self, instance, **kwargs) -> None:
        pass

    def post_delete_access_attempt(self, instance, **kwargs) -> None:
        pass


class ThrottledPasswordResetView(PasswordResetView):
    """Django's reset form; each request counts against (address given, client address)."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        credentials = {"username": request.POST.get("email", "")}
        if not AxesProxyHandler.is_locked(request, credentials):
            AxesProxyHandler.user_login_failed(sender=type(self), credentials=credentials,
                                               request=request)
            if not AxesProxyHandler.is_locked(request, credentials):
                return super().post(request, *args, **kwargs)
        request.axes_locked_out = False  # answered here; the middleware need not
        return lockout_response(request, None, credentials)
