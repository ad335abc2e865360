"""Fixation, password changes and privilege changes: keys rotate, sessions end."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from sessions_ext import signals
from sessions_ext.models import Session
from tests.sessions_ext.conftest import PASSWORD, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.sessions_ext.urls")]


def cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_session_key_changes_on_sign_in(user):
    client = Client()
    session = client.session  # an anonymous session, as an attacker could plant
    session["planted"] = True
    session.save()
    planted = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = planted

    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert cookie(client) != planted
    assert not Session.objects.filter(session_key=planted).exists()
    assert Session.objects.get(session_key=cookie(client)).user == user


def test_session_row_records_owner_and_client(user):
    client = signed_in(user, agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", ip="192.0.2.7")
    row = Session.objects.get(session_key=cookie(client))
    assert (row.user, row.ip_address) == (user, "192.0.2.7")
    assert "Firefox" in row.user_agent
    assert row.created_at <= row.last_activity


def test_truncated_ip_keeps_only_the_network(user, settings):
    settings.SESSIONS_EXT_TRUNCATE_IP = True
    client = signed_in(user, ip="192.0.2.77")
    assert Session.objects.get(session_key=cookie(client)).ip_address == "192.0.2.0"


def test_password_change_ends_the_other_sessions(user):
    laptop, phone = signed_in(user), signed_in(user, agent="phone")
    phone_key = cookie(phone)

    response = laptop.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "a new long passphrase 42", "new_password2":
         "a new long passphrase 42"},
    )

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert list(Session.objects.filter(user=user).values_list("session_key", flat=True)) == [cookie(laptop)]
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302  # back to the sign-in page


def test_password_set_elsewhere_ends_every_session(user):
    client = signed_in(user)
    user.set_password("set by an administrator 99")
    user.save()
    assert not Session.objects.filter(user=user).exists()
    assert client.get("/").status_code == 302


def test_saving_the_user_without_a_new_password_keeps_sessions(user):
    signed_in(user)
    user.first_name = "Ada"
    user.save()
    assert Session.objects.filter(user=user).count() == 1


def test_privilege_change_rotates_this_and_marks_other_keys(user, rf):
    laptop, phone = signed_in(user), signed_in(user, agent="phone")
    old_laptop, old_phone = cookie(laptop), cookie(phone)

    signals.privilege_changed.send(sender=None, user=user)

    # The other sessions keep working and get a new key on their next request.
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 200
    assert cookie(laptop) != old_laptop and cookie(phone) != old_phone
    assert not Session.objects.filter(session_key__in=[old_laptop, old_phone]).exists()
    assert Session.objects.filter(user=user).count() == 2


def test_group_change_rotates_keys(user):
    from django.contrib.auth.models import Group

    client = signed_in(user)
    before = cookie(client)
    user.groups.add(Group.objects.create(name="auditors"))
    client.get("/")
    assert cookie(client) != before


def test_role_change_in_the_product_rotates_keys(user):
    from dataguardian.orgs.models import Membership

    client = signed_in(user)
    before = cookie(client)
    membership = Membership.objects.get(user=user)
    membership.role = "admin"
    membership.save()
    client.get("/")
    assert cookie(client) != before
    assert Session.objects.filter(user=user).count() == 1


def test_privilege_change_in_the_users_own_request_rotates_at_once(user, rf):
    from sessions_ext.services import rotate_user_sessions, session_store_class

    client = signed_in(user)
    old = cookie(client)
    request = rf.get("/")
    request.user = user
    request.session = session_store_class()(old)
    rotate_user_sessions(user, request)
    assert request.session.session_key != old
    assert not Session.objects.filter(session_key=old).exists()
    assert Session.objects.filter(session_key=request.session.session_key, user=user).exists()
