"""The scan pages render for every role, filter, page, and refuse what a role may not do."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dataguardian.orgs.models import Role
from dataguardian.scans.models import Severity
from tests.foundation.factories import make_finding, make_scan
from tests.scans.conftest import ROLES

pytestmark = pytest.mark.django_db


def _pages(scan) -> list[str]:
    return [
        reverse("dashboard"), reverse("scans:list"), reverse("scans:detail", args=[scan.pk]),
        reverse("scans:findings", args=[scan.pk]), reverse("scans:report", args=[scan.pk]),
        reverse("billing:index"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_for_every_role(member_client, scan, role):
    make_finding(scan, severity=Severity.CRITICAL, masked_value="NL** **** **** 1234")
    client = member_client(role)
    for url in _pages(scan):
        response = client.get(url)
        assert response.status_code == 200, url
    detail = client.get(reverse("scans:detail", args=[scan.pk])).content.decode()
    assert "NL** **** **** 1234" in detail
    assert "Critical" in detail


@pytest.mark.parametrize("role", ROLES)
def test_new_scan_form_only_for_roles_that_may_start_scans(member_client, role, settings):
    settings.DG_SCAN_DATABASE_HOSTS = ["192.0.2.10"]
    response = member_client(role).get(reverse("scans:new"))
    if role == Role.VIEWER:
        assert response.status_code == 403
        assert "Your role does not allow this" in response.content.decode()
        assert "Viewer" in response.content.decode()
    else:
        assert response.status_code == 200
        assert 'type="password"' in response.content.decode()


def test_anonymous_users_are_sent_to_sign_in(client, scan):
    for url in _pages(scan) + [reverse("scans:new"), reverse("scans:progress", args=[scan.pk])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_a_user_without_organisation_gets_a_clear_page(client, django_user_model):
    user = django_user_model.objects.create_user("loner", password="a-long-test-password")
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403
    assert "not in an organisation" in response.content.decode()


def test_empty_states(analyst):
    dashboard = analyst.get(reverse("dashboard")).content.decode()
    assert "No scans yet" in dashboard
    assert "Start your first scan" in dashboard
    scans = analyst.get(reverse("scans:list")).content.decode()
    assert "No scans yet" in scans


def test_scans_list_filters_by_status_kind_and_search(analyst, org):
    done = make_scan(org, status="completed", kind="code", source="Upload: payroll-code.zip")
    failed = make_scan(org, status="failed", kind="documents", source="Folder: /srv/hr")
    url = reverse("scans:list")

    def ids(**params) -> set[int]:
        page = analyst.get(url, params).context["page"]
        return {scan.pk for scan in page.items}

    assert ids() == {done.pk, failed.pk}
    assert ids(status="failed") == {failed.pk}
    assert ids(kind="code") == {done.pk}
    assert ids(q="payroll") == {done.pk}
    assert ids(q=f"#{failed.pk}") == {failed.pk}
    assert ids(status="no-such-status") == {done.pk, failed.pk}  # ignored, not an error
    assert "No scans match" in analyst.get(url, {"q": "nothing-like-this"}).content.decode()


def test_scans_list_pages_without_gaps_or_repeats(analyst, org):
    made = [make_scan(org).pk for _ in range(60)]
    url = reverse("scans:list")
    seen, response = [], analyst.get(url)
    while True:
        page = response.context["page"]
        seen += [scan.pk for scan in page.items]
        if not page.next_cursor:
            break
        response = analyst.get(url, {"after": page.next_cursor})
    assert seen == sorted(made, reverse=True)
    back = analyst.get(url, {"before": page.prev_cursor}).context["page"]
    assert [scan.pk for scan in back.items] == seen[25:50]


def test_findings_critical_first_filter_and_page(analyst, scan):
    for index in range(130):
        make_finding(scan, severity=[1, 2, 3, 4][index % 4], entity=["EMAIL", "IBAN"][index % 2])
    url = reverse("scans:findings", args=[scan.pk])
    order, response = [], analyst.get(url)
    while True:
        page = response.context["findings"]
        order += [(finding.severity, finding.pk) for finding in page.items]
        if not page.next_cursor:
            break
        response = analyst.get(url, {"after": page.next_cursor})
    assert len(order) == 130
    assert order == sorted(order, key=lambda pair: (-pair[0], pair[1]))

    ibans = analyst.get(url, {"entity": "IBAN"}).context["findings"].items
    assert ibans and {finding.entity for finding in ibans} == {"IBAN"}
    critical = analyst.get(url, {"severity": "4"}).context["findings"].items
    assert critical and {finding.severity for finding in critical} == {4}
    both = analyst.get(url, {"severity": "critical", "entity": "EMAIL"}).context["findings"].items
    assert {(f.entity, f.severity) for f in both} <= {("EMAIL", 4)}
    filtered = analyst.get(url, {"entity": "NL_BSN"}).content.decode()
    assert "No findings match these filters" in filtered


def test_progress_endpoint(analyst, org):
    running = make_scan(org, status="running", progress_done=3, progress_total=12, findings_count=40)
    data = analyst.get(reverse("scans:progress", args=[running.pk])).json()
    assert data == {
        "id": running.pk, "status": "running", "status_label": "Running", "finished": False,
        "done": 3, "total": 12, "percent": 25, "findings": 40, "error": "",
    }
    detail = analyst.get(reverse("scans:detail", args=[running.pk])).content.decode()
    assert reverse("scans:progress", args=[running.pk]) in detail
    assert 'data-finished="0"' in detail


def test_failed_scan_shows_its_reason(analyst, org):
    failed = make_scan(org, status="failed", error_message="The archive could not be read.")
    assert "The archive could not be read." in analyst.get(
        reverse("scans:detail", args=[failed.pk])).content.decode()
    assert analyst.get(reverse("scans:progress", args=[failed.pk])).json()["error"] == (
        "The archive could not be read.")


def test_cancel(member_client, org):
    running = make_scan(org, status="running", progress_total=10)
    url = reverse("scans:cancel", args=[running.pk])
    viewer = member_client(Role.VIEWER)
    assert viewer.post(url).status_code == 403
    running.refresh_from_db()
    assert running.status == "running"
    analyst = member_client(Role.ANALYST)
    assert analyst.get(url).status_code == 405
    response = analyst.post(url)
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.status == "cancelled"
    assert "is cancelled" in analyst.get(response["Location"]).content.decode()


def test_report_is_printable_and_lists_the_worst_findings(analyst, scan):
    make_finding(scan, severity=Severity.CRITICAL, masked_value="***-**-6789")
    make_finding(scan, severity=Severity.LOW, masked_value="10.0.*.*")
    html = analyst.get(reverse("scans:report", args=[scan.pk])).content.decode()
    assert "data-print" in html and "report.js" in html
    assert html.index("***-**-6789") < html.index("10.0.*.*")
