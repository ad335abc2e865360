"""The one place that ties a request to an organisation.

Every view that shows tenant data goes through here:

    @member_required                      # any member
    @member_required(role=Role.ANALYST)   # analysts, admins and owners

    scans = scoped(Scan.objects.all(), request)

``member_required`` signs anonymous users in first, answers a clear 403 page
to a signed-in user without a membership (or with too small a role), and
sets ``request.membership`` / ``request.organization``. ``scoped`` filters a
queryset of any model with an ``organization`` foreign key; asking for a row
of another organisation through it therefore answers 404, never 403, so
that ids of other tenants cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dataguardian.orgs.models import Membership, Organization, Role

SESSION_KEY = "dg_organization_id"
# Higher rank, more rights: a view that needs "analyst" admits admins and owners.
ROLE_RANK = {Role.VIEWER: 1, Role.ANALYST: 2, Role.ADMIN: 3, Role.OWNER: 4}
_CACHE_ATTR = "_dg_membership"

Q = TypeVar("Q", bound=QuerySet)


def current_membership(request: HttpRequest) -> Membership | None:
    """The signed-in user's membership for this request, or None.

    A user in several organisations works in the one chosen in the session
    (``SESSION_KEY``), else in the oldest. One query per request, cached on it.
    """
    if hasattr(request, _CACHE_ATTR):
        return getattr(request, _CACHE_ATTR)
    membership = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        memberships = list(
            Membership.objects.filter(user=user)
            .select_related("organization")
            .order_by("created_at", "id")[:100]
        )
        chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        membership = next((m for m in memberships if m.organization_id == chosen), None)
        if membership is None and memberships:
            membership = memberships[0]
    setattr(request, _CACHE_ATTR, membership)
    return membership


def current_organization(request: HttpRequest) -> Organization | None:
    membership = current_membership(request)
    return membership.organization if membership else None


def has_role(membership: Membership | None, role: str) -> bool:
    """True when ``membership`` has ``role`` or a higher one."""
    if membership is None:
        return False
    return ROLE_RANK.get(membership.role, 0) >= ROLE_RANK[Role(role)]


def scoped(queryset: Q, request: HttpRequest) -> Q:
    """``queryset`` limited to the request's organisation (empty without one)."""
    membership = current_membership(request)
    if membership is None:
        return queryset.none()
    return queryset.filter(organization_id=membership.organization_id)


def _forbidden(request: HttpRequest, template: str, **context) -> HttpResponse:
    return render(request, template, context, status=403)


def member_required(view: Callable | None = None, *, role: str = Role.VIEWER) -> Callable:
    """Admit members of an organisation with at least ``role``.

    Usable bare (``@member_required``) or with a role. Anonymous users are
    sent to the sign-in page; everyone else who may not pass gets a 403 page
    that says why.
    """

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = current_membership(request)
            if membership is None:
                return _forbidden(request, "orgs/no_membership.html")
            request.membership = membership
            request.organization = membership.organization
            if not has_role(membership, role):
                return _forbidden(
                    request, "orgs/role_required.html",
                    required_role=Role(role).label, membership=membership,
                )
            return func(request, *args, **kwargs)

        wrapper.dg_member_required = True  # lets tests prove every view is scoped
        return wrapper

    if view is not None:
        return decorator(view)
    return decorator
