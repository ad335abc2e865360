"""Fixtures for the page tests: two organisations, a member per role, scans."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from dataguardian.orgs.models import Role
from tests.foundation.factories import make_member, make_org, make_scan

ROLES = [Role.OWNER, Role.ADMIN, Role.ANALYST, Role.VIEWER]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The cache is this test run's own (locmem, or the helper's Redis db).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db):
    return make_org("Acme Zorg")


@pytest.fixture
def other_org(db):
    return make_org("Rival BV")


@pytest.fixture
def member_client(client, org):
    """A test client signed in as a member of ``org`` with the given role."""

    def sign_in(role: str = Role.ANALYST, organization=None):
        user = make_member(organization or org, role=role)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def analyst(member_client):
    return member_client(Role.ANALYST)


@pytest.fixture
def scan(org):
    return make_scan(
        org, status="completed", progress_done=3, progress_total=3, findings_count=0,
        source="Upload: acme-hr-export.zip",
    )
