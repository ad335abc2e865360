"""The billing page: the organisation's plan, totals and payments, nobody else's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from dataguardian.orgs.models import Role
from tests.foundation.factories import make_member, make_org, make_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return make_org("Acme Zorg")


@pytest.fixture
def client_of(client):
    def sign_in(org, role=Role.VIEWER):
        client.force_login(make_member(org, role=role))
        return client

    return sign_in


def test_billing_shows_plan_totals_and_payments(client_of, org):
    make_payment(org, amount=Decimal("49.00"), status="paid", provider_reference="pay_1")
    make_payment(org, amount=Decimal("99.00"), status="pending", provider_reference="pay_2")
    make_payment(org, amount=Decimal("10.00"), status="failed", provider_reference="pay_3")
    make_payment(make_org("Other"), amount=Decimal("5000.00"), status="paid", provider_reference="pay_x")
    response = client_of(org).get(reverse("billing:index"))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary["paid"], summary["pending"], summary["failed"]) == (Decimal("49.00"), Decimal("99.00"), 1)
    html = response.content.decode()
    assert "pay_1" in html and "pay_2" in html and "pay_x" not in html
    assert "Starter" in html


def test_billing_filters_by_status_and_pages(client_of, org):
    for n in range(25):
        make_payment(org, status="paid" if n % 5 else "refunded", provider_reference=f"ref-{n}")
    client = client_of(org)
    refunded = client.get(reverse("billing:index"), {"status": "refunded"}).context["page"].items
    assert {p.status for p in refunded} == {"refunded"} and len(refunded) == 5
    first = client.get(reverse("billing:index")).context["page"]
    assert len(first.items) == 20 and first.next_cursor
    rest = client.get(reverse("billing:index"), {"after": first.next_cursor}).context["page"]
    assert len(rest.items) == 5 and not rest.next_cursor
    assert not {p.pk for p in first.items} & {p.pk for p in rest.items}


def test_billing_empty_state(client_of, org):
    html = client_of(org).get(reverse("billing:index")).content.decode()
    assert "No payments" in html


def test_billing_needs_a_membership(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("x", password="a-long-test-password"))
    assert client.get(reverse("billing:index")).status_code == 403
