"""The organisation switcher: a user in several organisations chooses which one to work in."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dataguardian.activity import Action
from dataguardian.orgs.scoping import choose_organization, member_required
from sessions_ext import activity


@require_POST
@member_required
def switch_organization(request: HttpRequest) -> HttpResponse:
    """Work in the posted organisation from now on, then go to its dashboard.

    Not a member of it (or no such organisation): 404, nothing changes, so
    other organisations' ids cannot be probed.
    """
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError:
        return HttpResponseBadRequest("Choose an organisation from the list.")
    membership = choose_organization(request, organization_id)
    if membership is None:
        raise Http404("You are not a member of that organisation.")
    activity.record(request, Action.ORGANIZATION_SWITCHED, membership.organization)
    messages.success(request, f"You are now working in {membership.organization.name}.")
    return redirect("dashboard")
