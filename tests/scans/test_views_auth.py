"""Sign-in throttling, password reset by e-mail, sign-out, and CSRF on every form."""

from __future__ import annotations

import re

import pytest
from django.core import mail
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


def test_sign_in_pauses_after_repeated_failures(client, user, settings):
    settings.DG_SIGNIN_MAX_FAILURES = 3
    for _ in range(3):
        assert _sign_in(client, "anna", "wrong").status_code == 200
    locked = _sign_in(client, "anna", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address, or another account, is not locked out by these failures.
    assert _sign_in(Client(), "anna", PASSWORD, address="10.9.9.9").status_code == 302
    make_member(user.memberships.first().organization, username="bert")
    assert _sign_in(Client(), "bert", PASSWORD).status_code == 302


def test_username_case_does_not_dodge_the_throttle(client, user, settings):
    settings.DG_SIGNIN_MAX_FAILURES = 2
    _sign_in(client, "anna", "wrong")
    _sign_in(client, "ANNA", "wrong")
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
