"""N+1 detection: a view or task that repeats one query shape is flagged by name."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from dataguardian.orgs.models import Membership, Organization
from performance.db.store import flush
from performance.models import NPlusOne, QueryRollup

from .db_support import clean_buffer  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_buffer")]


def members_one_by_one(request):
    """The classic N+1: one query per membership for its organisation."""
    names = [m.organization.name for m in Membership.objects.order_by("pk")]
    return HttpResponse(",".join(names))


def members_joined(request):
    names = [m.organization.name for m in Membership.objects.select_related("organization")]
    return HttpResponse(",".join(names))


urlpatterns = [
    path("n-plus-one", members_one_by_one),
    path("joined", members_joined),
]


@shared_task(name="tests.performance.n_plus_one_task")
def n_plus_one_task() -> int:
    return len([m.organization.name for m in Membership.objects.order_by("pk")])


@pytest.fixture
def memberships():
    user_model = get_user_model()
    for i in range(12):
        org = Organization.objects.create(name=f"Org {i}", slug=f"org-{i}")
        user = user_model.objects.create(username=f"u{i}")
        Membership.objects.create(user=user, organization=org)


@override_settings(ROOT_URLCONF=__name__, PERFORMANCE_N_PLUS_ONE_THRESHOLD=10)
def test_n_plus_one_view_is_flagged_with_its_name(client, memberships):
    assert client.get("/n-plus-one").status_code == 200
    flush()
    flagged = NPlusOne.objects.get()
    assert flagged.source == f"{__name__}.members_one_by_one"
    assert flagged.max_repeats == 12 and flagged.occurrences == 1
    assert "orgs_organization" in flagged.fingerprint and "?" in flagged.fingerprint
    rollup = QueryRollup.objects.get(source=f"{__name__}.members_one_by_one")
    assert rollup.kind == "request" and rollup.queries >= 13


@override_settings(ROOT_URLCONF=__name__, PERFORMANCE_N_PLUS_ONE_THRESHOLD=10)
def test_the_joined_view_is_not_flagged(client, memberships):
    assert client.get("/joined").status_code == 200
    flush()
    assert not NPlusOne.objects.exists()
    assert QueryRollup.objects.get(source=f"{__name__}.members_joined").max_queries <= 3


@override_settings(ROOT_URLCONF=__name__, PERFORMANCE_N_PLUS_ONE_THRESHOLD=20)
def test_below_the_threshold_is_not_flagged(client, memberships):
    client.get("/n-plus-one")
    flush()
    assert not NPlusOne.objects.exists()


@override_settings(PERFORMANCE_N_PLUS_ONE_THRESHOLD=10)
def test_celery_task_is_a_scope_named_after_the_task(memberships):
    assert n_plus_one_task.apply().get() == 12  # runs here, with task_prerun/task_postrun
    flush()
    flagged = NPlusOne.objects.get()
    assert flagged.source == "tests.performance.n_plus_one_task"
    assert QueryRollup.objects.get(source="tests.performance.n_plus_one_task").kind == "task"
