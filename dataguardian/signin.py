"""Sign-in with a throttle on repeated failures.

Failures are counted in the default cache per (username, client address) and
per address alone, for ``DG_SIGNIN_LOCKOUT_SECONDS``. Past
``DG_SIGNIN_MAX_FAILURES`` for the pair (or ten times that for the address,
against password spraying over many usernames) the sign-in form answers 429
with a clear message, without checking the password at all. A success clears
the pair's counter. The username travels into the key only as a digest.

If the cache is down the throttle steps aside (logged): sign-in keeps working.
"""

from __future__ import annotations

import hashlib
import logging
import math

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from sessions_ext.client import client_ip

logger = logging.getLogger(__name__)

IP_FACTOR = 10  # an address may fail this many times more, over all usernames


def _limits() -> tuple[int, int]:
    return settings.DG_SIGNIN_MAX_FAILURES, settings.DG_SIGNIN_LOCKOUT_SECONDS


def _keys(request: HttpRequest, username: str) -> tuple[str, str]:
    address = client_ip(request) or "unknown"
    digest = hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()[:32]
    return f"signin:fail:{digest}", f"signin:fail-ip:{address}"


def is_locked(request: HttpRequest, username: str) -> bool:
    limit, _ = _limits()
    pair, address = _keys(request, username)
    try:
        counts = cache.get_many([pair, address])
    except Exception:  # noqa: BLE001 - a cache outage must not stop sign-in
        logger.warning("sign-in throttle: cache unavailable, not throttling", exc_info=True)
        return False
    return counts.get(pair, 0) >= limit or counts.get(address, 0) >= limit * IP_FACTOR


def register_failure(request: HttpRequest, username: str) -> None:
    _, window = _limits()
    try:
        for key in _keys(request, username):
            # add() starts the window; incr() never extends it.
            if not cache.add(key, 1, timeout=window):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add() and incr()
                    cache.add(key, 1, timeout=window)
    except Exception:  # noqa: BLE001
        logger.warning("sign-in throttle: cache unavailable, failure not counted", exc_info=True)


def clear_failures(request: HttpRequest, username: str) -> None:
    try:
        cache.delete(_keys(request, username)[0])
    except Exception:  # noqa: BLE001
        logger.warning("sign-in throttle: cache unavailable, counter not cleared", exc_info=True)


class ThrottledLoginView(LoginView):
    """Django's LoginView, refusing further attempts after repeated failures."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        if is_locked(request, username):
            minutes = math.ceil(_limits()[1] / 60)
            # An unbound form: a bound one would check the password while validating.
            form = self.get_form_class()(request, initial={"username": username})
            message = (
                f"Too many failed sign-in attempts. For your security, sign-in is paused for "
                f"this account from your address: try again in {minutes} minutes, or reset "
                f"your password."
            )
            response = self.render_to_response(self.get_context_data(form=form, throttle_error=message))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        register_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form):
        clear_failures(self.request, form.get_user().get_username())
        return super().form_valid(form)
