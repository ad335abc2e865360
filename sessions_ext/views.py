"""Pages: a user's own sessions, and an organisation's activity for its admins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET, require_POST

from sessions_ext import actions, activity, analytics, conf, selectors, services
from sessions_ext.forms import ActivityFilterForm
from sessions_ext.models import Action

ACTIVITY_PAGE_SIZE = 50


@require_GET
@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.user_session_list(request.user, request.session.session_key)
    # Site-wide figures are for staff only; cached, so this page stays cheap.
    figures = analytics.session_analytics() if request.user.is_staff else None
    return render(request, "sessions_ext/session_list.html", {"sessions": rows, "figures": figures})


@require_POST
@login_required
def session_end(request: HttpRequest, public_id: str) -> HttpResponse:
    if services.end_session_by_public_id(request.user, public_id):
        activity.record(request, Action.SESSION_ENDED, scope="one")
        messages.success(request, "That session has been signed out.")
    else:
        messages.error(request, "That session had already ended.")
    return redirect("sessions_ext:list")


@require_POST
@login_required
def session_end_others(request: HttpRequest) -> HttpResponse:
    ended = services.end_user_sessions(request.user, keep=request.session.session_key)
    activity.record(request, Action.SESSION_ENDED, scope="others", count=ended)
    messages.success(request, f"Signed out {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("sessions_ext:list")


def _admin_organization(request: HttpRequest) -> int | None:
    """The organisation whose activity this user may see, or None."""
    organization_id = activity.organization_for(request.user, request)
    check = conf.get("SESSIONS_EXT_ORGANIZATION_ADMIN_CHECK")
    if organization_id is None or not check:
        return None
    return organization_id if import_string(check)(request.user, organization_id) else None


@require_GET
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    organization_id = _admin_organization(request)
    if organization_id is None:
        return render(request, "sessions_ext/activity_forbidden.html", status=403)
    form = ActivityFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {"action": data["action"], "since": data["since"], "until": data["until"]}
        if data["user"]:
            User = get_user_model()
            user = User._default_manager.filter(**{User.USERNAME_FIELD: data["user"]}).first()
            filters["user_id"] = user.pk if user else -1
    rows = selectors.activity_list(organization_id, **filters)
    # No COUNT(*) over a large log: fetch one row more than a page to know
    # whether a next page exists.
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    start = (number - 1) * ACTIVITY_PAGE_SIZE
    fetched = list(rows[start:start + ACTIVITY_PAGE_SIZE + 1])
    labels = actions.labels()
    for row in fetched:
        row.action_label = labels.get(row.action, row.action)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "sessions_ext/activity_list.html",
        {
            "form": form, "rows": fetched[:ACTIVITY_PAGE_SIZE], "number": number,
            "has_next": len(fetched) > ACTIVITY_PAGE_SIZE, "query": query.urlencode(),
        },
    )
