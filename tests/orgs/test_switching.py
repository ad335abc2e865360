"""A user in several organisations switches between them; each request works in one, checked every time."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dataguardian.orgs.models import Membership, Role
from dataguardian.orgs.scoping import SESSION_KEY
from tests.foundation.factories import make_member, make_org, make_scan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def consultant():
    """A user who is an analyst at Alpha (joined first) and a viewer at Beta, each with a scan."""
    alpha, beta = make_org("Alpha Zorg"), make_org("Beta Bank")
    user = make_member(alpha, role=Role.ANALYST)
    Membership.objects.create(user=user, organization=beta, role=Role.VIEWER)
    scans = {"alpha": make_scan(alpha, source="Upload: alpha-hr.zip"),
             "beta": make_scan(beta, source="Upload: beta-loans.zip")}
    client = Client()
    client.force_login(user)
    return client, user, alpha, beta, scans


def _switch(client, organization) -> object:
    return client.post(reverse("switch_organization"), {"organization": organization})


def test_a_new_session_works_in_the_oldest_organisation_and_offers_the_others(consultant):
    client, _user, alpha, beta, scans = consultant
    page = client.get(reverse("scans:list")).content.decode()
    assert "alpha-hr.zip" in page and "beta-loans.zip" not in page
    assert f'<option value="{alpha.pk}" selected>Alpha Zorg · Analyst</option>' in page
    assert f'<option value="{beta.pk}">Beta Bank · Viewer</option>' in page


def test_switching_shows_only_the_chosen_organisations_data_with_its_role(consultant):
    client, _user, alpha, beta, scans = consultant
    response = _switch(client, beta.pk)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert "You are now working in Beta Bank." in client.get(reverse("dashboard")).content.decode()
    page = client.get(reverse("scans:list")).content.decode()
    assert "beta-loans.zip" in page and "alpha-hr.zip" not in page
    assert client.get(reverse("scans:detail", args=[scans["alpha"].pk])).status_code == 404
    assert client.get(reverse("scans:detail", args=[scans["beta"].pk])).status_code == 200
    assert client.get(reverse("scans:new")).status_code == 403  # a viewer at Beta
    _switch(client, alpha.pk)
    assert client.get(reverse("scans:new")).status_code == 200  # an analyst at Alpha


def test_switching_to_an_organisation_one_is_not_a_member_of_changes_nothing(consultant):
    client, _user, alpha, _beta, scans = consultant
    stranger = make_org("Gamma BV")
    make_scan(stranger, source="Upload: gamma-secret.zip")
    for target in (stranger.pk, 999_999):
        assert _switch(client, target).status_code == 404
    assert SESSION_KEY not in client.session
    assert "gamma-secret.zip" not in client.get(reverse("scans:list")).content.decode()


@pytest.mark.parametrize("value", ["", "beta", "1.5", "1 OR 1=1"])
def test_a_malformed_choice_is_refused(consultant, value):
    client = consultant[0]
    response = client.post(reverse("switch_organization"), {"organization": value})
    assert response.status_code == 400 and b"Choose an organisation" in response.content
    assert SESSION_KEY not in client.session


def test_switching_needs_a_post(consultant):
    client, _user, _alpha, beta, _scans = consultant
    assert client.get(reverse("switch_organization"), {"organization": beta.pk}).status_code == 405


def test_a_removed_membership_is_noticed_on_the_next_request(consultant):
    client, user, alpha, beta, scans = consultant
    _switch(client, beta.pk)
    assert client.session[SESSION_KEY] == beta.pk
    Membership.objects.filter(user=user, organization=beta).delete()
    page = client.get(reverse("scans:list")).content.decode()
    assert "alpha-hr.zip" in page and "beta-loans.zip" not in page
    assert client.get(reverse("scans:detail", args=[scans["beta"].pk])).status_code == 404


def test_a_member_of_one_organisation_sees_no_switcher():
    org = make_org("Solo BV")
    client = Client()
    client.force_login(make_member(org))
    page = client.get(reverse("dashboard")).content.decode()
    assert "Solo BV" in page and 'name="organization"' not in page
