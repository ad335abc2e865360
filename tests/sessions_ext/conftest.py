"""Users, organisations and signed-in clients for the sessions_ext tests."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dataguardian.orgs.models import Membership, Organization

PASSWORD = "correct horse battery staple"
_seq = itertools.count()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Dozens of sign-ins per test run: the production hasher's cost is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db, fast_password_hashing):
    def make(role: str = "analyst", organization: Organization | None = None, **fields):
        n = next(_seq)
        user = get_user_model().objects.create_user(
            username=fields.pop("username", f"user{n}"), password=PASSWORD, **fields
        )
        if organization is None:
            organization = Organization.objects.create(name=f"Org {n}", slug=f"org-{n}")
        Membership.objects.create(user=user, organization=organization, role=role)
        return user

    return make


@pytest.fixture
def user(make_user):
    return make_user()


def signed_in(user, agent: str = "pytest", ip: str = "10.1.2.3") -> Client:
    """A client signed in through the real sign-in page."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client
