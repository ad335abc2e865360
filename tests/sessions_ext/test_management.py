"""Users see and end their sessions; admins end any; the per-user limit."""

from __future__ import annotations

import pytest
from django.conf import settings

from sessions_ext.models import Session
from tests.sessions_ext.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.sessions_ext.urls")]

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"


def key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_list_shows_device_ip_and_no_session_keys(user):
    laptop, phone = signed_in(user, agent=FIREFOX, ip="192.0.2.10"), signed_in(user, ip="198.51.100.4")
    html = laptop.get("/account/sessions/").content.decode()
    assert "Firefox on Linux" in html and "192.0.2.10" in html and "198.51.100.4" in html
    assert key(laptop) not in html and key(phone) not in html


def test_revoke_one(user):
    laptop, phone = signed_in(user), signed_in(user)
    target = Session.objects.get(session_key=key(phone))
    response = laptop.post(f"/account/sessions/{target.public_id}/end/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=target.session_key).exists()
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200


def test_cannot_revoke_another_users_session(make_user):
    alice, bob = make_user(), make_user()
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    bobs = Session.objects.get(session_key=key(bob_client))
    alice_client.post(f"/account/sessions/{bobs.public_id}/end/")
    assert Session.objects.filter(session_key=bobs.session_key).exists()


def test_revoke_all_others(user, make_user):
    clients = [signed_in(user) for _ in range(3)]
    bystander = signed_in(make_user())
    clients[0].post("/account/sessions/end-others/")
    assert list(Session.objects.filter(user=user).values_list("session_key", flat=True)) == [key(clients[0])]
    assert bystander.get("/").status_code == 200


def test_revoke_requires_post(user):
    client = signed_in(user)
    assert client.get("/account/sessions/end-others/").status_code == 405


def test_concurrent_session_limit_ends_the_oldest(user, settings):
    settings.SESSIONS_EXT_MAX_SESSIONS_PER_USER = 2
    first, second, third = signed_in(user), signed_in(user), signed_in(user)
    remaining = set(Session.objects.filter(user=user).values_list("session_key", flat=True))
    assert remaining == {key(second), key(third)}
    assert first.get("/").status_code == 302


def test_admin_lists_and_ends_any_session(make_user, admin_client):
    victim = signed_in(make_user(), agent=FIREFOX)
    row = Session.objects.get(session_key=key(victim))
    listing = admin_client.get("/admin/sessions_ext/session/").content.decode()
    # The admin's checkboxes carry the primary key (the session key): staff with
    # this admin page are trusted with it; the session data is never shown.
    assert row.public_id in listing and "Firefox on Linux" in listing
    change = admin_client.get(f"/admin/sessions_ext/session/{row.pk}/change/").content.decode()
    assert row.session_data not in change
    response = admin_client.post(
        "/admin/sessions_ext/session/",
        {"action": "end_sessions", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=row.session_key).exists()
    assert victim.get("/").status_code == 302
