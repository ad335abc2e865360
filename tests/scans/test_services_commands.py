"""The create_organization management command."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from dataguardian.orgs.models import Membership, Organization

pytestmark = pytest.mark.django_db


def _run(monkeypatch, stdin: str, *args: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("create_organization", *args, stdout=out)
    return out.getvalue()


def test_creates_organisation_and_owner_with_password_from_stdin(monkeypatch):
    out = _run(monkeypatch, "Correct-Horse-Battery-9\n", "Acme Zorg", "--username", "alice",
               "--email", "alice@acme.example")
    assert "created organisation 'Acme Zorg'" in out and "Correct" not in out
    org = Organization.objects.get(slug="acme-zorg")
    user = get_user_model().objects.get(username="alice")
    assert user.check_password("Correct-Horse-Battery-9")
    assert Membership.objects.get(user=user, organization=org).role == "owner"


@pytest.mark.parametrize(("stdin", "message"), [("", "no password"), ("123\n", "password refused")])
def test_missing_or_weak_password_creates_nothing(monkeypatch, stdin, message):
    with pytest.raises(CommandError, match=message):
        _run(monkeypatch, stdin, "Acme", "--username", "bob")
    assert not Organization.objects.exists() and not get_user_model().objects.exists()


def test_existing_slug_or_user_is_refused(monkeypatch):
    _run(monkeypatch, "Correct-Horse-Battery-9\n", "Acme", "--username", "carol")
    with pytest.raises(CommandError, match="slug 'acme' exists"):
        _run(monkeypatch, "Correct-Horse-Battery-9\n", "Acme", "--username", "dave")
    with pytest.raises(CommandError, match="user named 'carol'"):
        _run(monkeypatch, "Correct-Horse-Battery-9\n", "Other", "--username", "carol")
    assert Organization.objects.count() == 1
