"""Every route, walked as a member of another organisation, shows nothing of ours.

The walk reads the URL resolver, so a route added later is covered (or, if it
takes a parameter this test does not know, fails here until it is taught).
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dataguardian.orgs.models import Role
from tests.foundation.factories import make_finding, make_payment, make_scan

pytestmark = pytest.mark.django_db

# Routes that show no organisation data: sign-in and password pages, the
# health check, Django's admin (staff only, its own permissions), the
# operators' endpoints of performance (probes, token-guarded /metrics, the
# staff-only monitoring export; tests/performance covers their guards).
PUBLIC_PREFIXES = ("admin:", "__debug__", "djdt:", "performance:")
PUBLIC_NAMES = {
    "login", "logout", "password_change", "password_change_done", "password_reset",
    "password_reset_done", "password_reset_confirm", "password_reset_complete", "healthz",
}
# A user's own sessions and activity (sessions_ext): scoped to the user, not to an
# organisation, and walked by tests/sessions_ext/test_isolation.py; here they are
# still requested, and must not show the other organisation's data.
USER_SCOPED_PREFIXES = ("sessions_ext:",)
SECRET = "VICTIM-ONLY-7f3a"


def _routes(patterns=None, namespace: str = ""):
    """(full name, pattern, callback) of every named route."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern, entry.callback


def _tenant_routes():
    return [
        (name, pattern, callback) for name, pattern, callback in _routes()
        if not name.startswith(PUBLIC_PREFIXES) and name not in PUBLIC_NAMES
    ]


def test_the_walk_finds_the_product_routes():
    names = {name for name, _, _ in _tenant_routes()}
    assert {"dashboard", "scans:list", "scans:new", "scans:detail", "scans:progress", "scans:export",
            "scans:report", "scans:cancel", "scans:findings", "billing:index"} <= names


def test_every_tenant_route_is_scoped_through_the_one_helper():
    for name, _, callback in _tenant_routes():
        if name.startswith(USER_SCOPED_PREFIXES):
            continue
        assert getattr(callback, "dg_member_required", False), f"{name} is not behind member_required"


@pytest.fixture
def victim(other_org):
    scan = make_scan(other_org, status="running", progress_total=9, source=f"Upload: {SECRET}.zip")
    make_finding(scan, masked_value=f"{SECRET}-finding", severity=4)
    make_payment(other_org, provider_reference=f"{SECRET}-payment")
    return scan


def _kwargs(pattern, scan) -> dict:
    params = {"scan_id": scan.pk, "fmt": "csv", "public_id": "0" * 32}
    converters = getattr(pattern, "converters", {})
    unknown = set(converters) - set(params)
    assert not unknown, f"teach the isolation walk about route parameters {unknown}"
    return {key: params[key] for key in converters}


@pytest.mark.parametrize("role", [Role.OWNER, Role.VIEWER])
def test_another_organisations_data_answers_404_on_every_route(member_client, victim, role):
    client = member_client(role)  # a member of ``org``, not of the victim's organisation
    for name, pattern, _ in _tenant_routes():
        kwargs = _kwargs(pattern, victim)
        url = reverse(name, kwargs=kwargs)
        statuses = set()
        for method in (client.get, client.post):
            response = method(url)
            statuses.add(response.status_code)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert SECRET.encode() not in body, f"{name} ({method.__name__}) shows the victim's data"
        if kwargs and not name.startswith(USER_SCOPED_PREFIXES):
            # The object belongs to someone else: not found (405 only for the wrong method).
            assert statuses <= {404, 405, 403}, f"{name}: {statuses}"
            assert 404 in statuses or (role == Role.VIEWER and 403 in statuses), f"{name}: {statuses}"
    victim.refresh_from_db()
    assert victim.status == "running", "the victim's scan was not cancelled"


def test_each_scan_route_answers_404_for_a_foreign_id(analyst, victim):
    for fmt in ("csv", "json", "sarif"):
        assert analyst.get(reverse("scans:export", args=[victim.pk, fmt])).status_code == 404
    for name in ("scans:detail", "scans:findings", "scans:progress", "scans:report"):
        assert analyst.get(reverse(name, args=[victim.pk])).status_code == 404, name
    assert analyst.post(reverse("scans:cancel", args=[victim.pk])).status_code == 404


def test_member_sees_own_data(member_client, org, victim):
    own = make_scan(org, source="Upload: ours.zip")
    client = member_client(Role.VIEWER)
    assert "ours.zip" in client.get(reverse("scans:list")).content.decode()
    assert client.get(reverse("scans:detail", args=[own.pk])).status_code == 200
