"""Reads about organisations that other apps are configured to call.

``sessions_ext`` never imports the product; settings name these functions
(SESSIONS_EXT_ORGANIZATION_RESOLVER, SESSIONS_EXT_ORGANIZATION_ADMIN_CHECK).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dataguardian.orgs import roles
from dataguardian.orgs.models import Membership


def organization_for_user(user: Any, request: HttpRequest | None = None) -> int | None:
    """The id of the organisation ``user`` works in (the request's choice when given)."""
    if request is not None and getattr(request, "user", None) == user:
        from dataguardian.orgs.scoping import current_membership  # cached on the request

        membership = current_membership(request)
        return membership.organization_id if membership else None
    return (
        Membership.objects.filter(user=user)
        .order_by("created_at", "id")
        .values_list("organization_id", flat=True)
        .first()
    )


def is_organization_admin(user: Any, organization_id: int) -> bool:
    """True when ``user`` may read that organisation's activity (``roles.SEE_ACTIVITY``)."""
    return Membership.objects.filter(
        user=user, organization_id=organization_id, role__in=roles.at_least(roles.SEE_ACTIVITY)
    ).exists()
