"""Sign-in throttling, password reset by e-mail, sign-out, and CSRF on every form."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache.backends.base import BaseCache
from django.test import Client
from django.urls import reverse

from dataguardian.orgs.models import Role
from tests.foundation.factories import make_member, make_scan

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")
PASSWORD = "a-long-test-password"


@pytest.fixture
def user(org):
    return make_member(org, role=Role.ANALYST, username="anna")


def _sign_in(client, username, password, address="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sign_in_works(client, user):
    response = _sign_in(client, "anna", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


ADMIN_LOGIN = reverse("admin:login")


def _admin_sign_in(client, username, password, address="10.1.1.1"):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_in_pauses_after_repeated_failures(client, user, settings):
    settings.DG_SIGNIN_MAX_FAILURES = 3
    for _ in range(2):
        assert _sign_in(client, "anna", "wrong").status_code == 200
    assert _sign_in(client, "anna", "wrong").status_code == 429  # the third failure pauses it
    locked = _sign_in(client, "anna", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    assert not _signed_in(client)
    # Another address, or another account, is not locked out by these failures.
    assert _sign_in(Client(), "anna", PASSWORD, address="10.9.9.9").status_code == 302
    make_member(user.memberships.first().organization, username="bert")
    assert _sign_in(Client(), "bert", PASSWORD).status_code == 302


@pytest.fixture
def staff(user):
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_the_admin_sign_in_shares_the_lockout_of_the_sign_in_form(client, staff, settings):
    settings.DG_SIGNIN_MAX_FAILURES = 3
    for _ in range(3):
        _sign_in(client, "anna", "wrong")
    locked = _admin_sign_in(client, "anna", PASSWORD)
    assert locked.status_code == 429 and not _signed_in(client)
    assert _admin_sign_in(Client(), "anna", PASSWORD, address="10.9.9.9").status_code == 302


def test_the_admin_sign_in_is_throttled_on_its_own_and_locks_the_form_too(client, staff, settings):
    settings.DG_SIGNIN_MAX_FAILURES = 3
    for _ in range(2):
        assert _admin_sign_in(client, "anna", "wrong").status_code == 200
    assert _admin_sign_in(client, "anna", "wrong").status_code == 429
    assert _admin_sign_in(client, "anna", PASSWORD).status_code == 429 and not _signed_in(client)
    assert _sign_in(client, "anna", PASSWORD).status_code == 429 and not _signed_in(client)


def test_an_address_spraying_many_usernames_is_paused(client, user, settings):
    settings.DG_SIGNIN_MAX_FAILURES = 2  # per pair; the address alone: 20
    for n in range(19):
        assert _sign_in(client, f"user{n}", "wrong").status_code == 200
    assert _sign_in(client, "user19", "wrong").status_code == 429
    assert _sign_in(client, "anna", PASSWORD).status_code == 429 and not _signed_in(client)
    assert _sign_in(Client(), "anna", PASSWORD, address="10.9.9.9").status_code == 302


def test_password_reset_requests_count_in_the_same_throttle(client, user, settings):
    settings.DG_SIGNIN_MAX_FAILURES = 3
    user.email = "anna@example.nl"
    user.save()
    url = reverse("password_reset")
    for _ in range(2):
        assert client.post(url, {"email": user.email}, REMOTE_ADDR="10.1.1.1").status_code == 302
    refused = client.post(url, {"email": user.email}, REMOTE_ADDR="10.1.1.1")
    assert refused.status_code == 429 and "Too many failed attempts" in refused.content.decode()
    assert len(mail.outbox) == 2  # the refused request sent nothing
    assert client.post(url, {"email": user.email}, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_a_locked_address_gets_no_reset_mail_either(client, user, settings):
    settings.DG_SIGNIN_MAX_FAILURES = 1  # the address alone: 10
    user.email = "anna@example.nl"
    user.save()
    for n in range(10):
        _sign_in(client, f"user{n}", "wrong")
    response = client.post(reverse("password_reset"), {"email": user.email}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429 and mail.outbox == []


def test_username_case_does_not_dodge_the_throttle(client, user, settings):
    settings.DG_SIGNIN_MAX_FAILURES = 3
    _sign_in(client, "anna", "wrong")
    _sign_in(client, "ANNA", "wrong")
    _sign_in(client, " Anna", "wrong")
    assert _sign_in(client, "Anna", PASSWORD).status_code == 429


def test_a_success_clears_the_failures(client, user, settings):
    settings.DG_SIGNIN_MAX_FAILURES = 3
    _sign_in(client, "anna", "wrong")
    _sign_in(client, "anna", "wrong")
    assert _sign_in(client, "anna", PASSWORD).status_code == 302
    client.logout()
    _sign_in(client, "anna", "wrong")
    _sign_in(client, "anna", "wrong")
    assert _sign_in(client, "anna", PASSWORD).status_code == 302


@pytest.mark.redis
def test_a_redis_outage_neither_locks_out_nor_stops_sign_in(client, user, settings, tmp_path):
    from performance.testing import PrivateRedis

    redis = PrivateRedis(tmp_path, persistent=False).start()
    try:
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": redis.url}}
        settings.DG_SIGNIN_MAX_FAILURES = 3
        redis.kill()  # the cache serves from its in-process fallback: the throttle still counts
        for _ in range(2):
            assert _sign_in(Client(), "anna", "wrong").status_code == 200
        assert _sign_in(client, "anna", PASSWORD).status_code == 302 and _signed_in(client)
        make_member(user.memberships.first().organization, username="bert")
        assert _sign_in(Client(), "bert", PASSWORD).status_code == 302
    finally:
        redis.kill()


class BrokenCache(BaseCache):
    """A cache whose every call fails, as a client library does when its server is gone."""

    def __init__(self, location, params):
        super().__init__(params)

    def __getattribute__(self, name):
        if name in {"get", "get_many", "set", "add", "incr", "delete", "touch", "has_key"}:
            raise ConnectionError("cache server unreachable")
        return super().__getattribute__(name)

    def clear(self):
        pass


def test_a_failing_cache_backend_neither_locks_out_nor_stops_sign_in(client, user, settings):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.BrokenCache"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.DG_SIGNIN_MAX_FAILURES = 1
    for _ in range(3):
        assert _sign_in(Client(), "anna", "wrong").status_code == 200
    assert _sign_in(client, "anna", PASSWORD).status_code == 302 and _signed_in(client)


def test_password_reset_sends_an_email_with_a_working_link(client, user):
    user.email = "anna@example.nl"
    user.save()
    response = client.post(reverse("password_reset"), {"email": "anna@example.nl"})
    assert response.status_code == 302
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.nl"]
    assert message.subject == "Reset your DataGuardian Pro password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {
        "new_password1": "another-long-passphrase-42", "new_password2": "another-long-passphrase-42",
    }, follow=True)
    assert "Your password is changed" in done.content.decode()
    assert _sign_in(Client(), "anna", "another-long-passphrase-42").status_code == 302


def test_password_reset_for_unknown_address_sends_nothing(client):
    client.post(reverse("password_reset"), {"email": "nobody@example.nl"})
    assert mail.outbox == []


def test_sign_out_shows_the_signed_out_page(client, user):
    client.force_login(user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_logged_out_page_renders_when_no_redirect_is_set(client, user, settings):
    settings.LOGOUT_REDIRECT_URL = None
    client.force_login(user)
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert "You are signed out" in response.content.decode()


def _csrf_token(client, url) -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_every_form_is_csrf_protected(org, user):
    """Each state-changing POST fails without the token and passes with the one its page gave."""
    client = Client(enforce_csrf_checks=True)
    assert client.post(LOGIN, {"username": "anna", "password": PASSWORD}).status_code == 403
    token = _csrf_token(client, LOGIN)
    assert client.post(LOGIN, {"username": "anna", "password": PASSWORD,
                               "csrfmiddlewaretoken": token}).status_code == 302

    running = make_scan(org, status="running", progress_total=4)
    posts = {
        reverse("scans:new"): {"source": "folder", "folder": "/nowhere"},
        reverse("scans:cancel", args=[running.pk]): {},
        reverse("password_reset"): {"email": "anna@example.nl"},
        reverse("logout"): {},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    detail = reverse("scans:detail", args=[running.pk])
    token = _csrf_token(client, detail)
    assert client.post(reverse("scans:cancel", args=[running.pk]),
                       {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.post(reverse("scans:new"), {"source": "folder", "folder": "/nowhere",
                                              "csrfmiddlewaretoken": token}).status_code == 400
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code in (200, 302)
