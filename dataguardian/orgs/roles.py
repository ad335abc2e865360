"""Who may do what in an organisation: role ranks and the rules built on them, in one place.

Each role may do everything the roles below it may: owner > admin > analyst
> viewer. Views ask ``member_required(role=...)`` or ``has_role``, services
``has_role``, queries ``at_least``; all with the rules named here.
"""

from __future__ import annotations

from typing import Any

from dataguardian.orgs.models import Role

RANK = {Role.VIEWER: 1, Role.ANALYST: 2, Role.ADMIN: 3, Role.OWNER: 4}

# The rules: the least role that may ...
START_SCANS = Role.ANALYST  # start and cancel scans
SEE_ACTIVITY = Role.ADMIN  # read the organisation's activity log


def has_role(membership: Any, role: str) -> bool:
    """True when ``membership`` (anything with a ``role``, or None) has ``role`` or a higher one."""
    if membership is None:
        return False
    return RANK.get(membership.role, 0) >= RANK[Role(role)]


def at_least(role: str) -> list[str]:
    """The roles with ``role``'s rights or more (for a query's ``role__in``)."""
    return [other for other, rank in RANK.items() if rank >= RANK[Role(role)]]
