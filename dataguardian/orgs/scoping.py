"""The one place that ties a request to an organisation.

Every view that shows tenant data is wrapped in ``member_required``
(optionally with a role from ``orgs.roles``): it signs anonymous users in
first, answers a clear 403 page to a signed-in user without a membership
(or with too small a role), and sets ``request.membership``,
``request.organization`` and ``request.memberships`` (all of the user's, for
the organisation switcher). Views hand ``request.organization`` to the
selectors, which filter on it. A user in several organisations works in
the one chosen with ``choose_organization`` (kept in the session, checked
against the memberships on every request), else in the oldest.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dataguardian.orgs.models import Membership, Role
from dataguardian.orgs.roles import has_role

SESSION_KEY = "dg_organization_id"
MAX_MEMBERSHIPS = 100  # listed in the switcher; a user in more works in one of the first 100
_CACHE_ATTR = "_dg_memberships"


def memberships(request: HttpRequest) -> list[Membership]:
    """The signed-in user's memberships, oldest first, with their organisations (one query per request)."""
    if not hasattr(request, _CACHE_ATTR):
        user = getattr(request, "user", None)
        rows = []
        if user is not None and user.is_authenticated:
            rows = list(Membership.objects.filter(user=user).select_related("organization")
                        .order_by("created_at", "id")[:MAX_MEMBERSHIPS])
        setattr(request, _CACHE_ATTR, rows)
    return getattr(request, _CACHE_ATTR)


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership this request works in: the one chosen in the session if the user
    still has it, else the oldest; None without any."""
    rows = memberships(request)
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY) if session is not None else None
    if chosen is not None:
        for membership in rows:
            if membership.organization_id == chosen:
                return membership
    return rows[0] if rows else None


def choose_organization(request: HttpRequest, organization_id: int) -> Membership | None:
    """Work in ``organization_id`` from now on; None (and nothing changed) if the user is not a member."""
    membership = next((m for m in memberships(request) if m.organization_id == organization_id), None)
    if membership is not None:
        request.session[SESSION_KEY] = membership.organization_id
    return membership


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
            request.memberships = memberships(request)
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
