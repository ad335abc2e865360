"""Admin delete confirmations that count the rows going with an object instead of listing each.

Django's default collects and lists every related row: for a scan, every
finding (millions). ``summarised_deletion`` lists the objects themselves
and counts each dependant queryset, asking for delete permission on the
models the admin registers, as Django does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.admin import ModelAdmin
from django.contrib.admin.utils import quote
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst


def summarised_deletion(model_admin: ModelAdmin, request: HttpRequest, objs: Iterable[Model],
                        dependants: Sequence[QuerySet]) -> tuple[list, dict, set, list]:
    """What ``ModelAdmin.get_deleted_objects`` returns: (objects, {model: count}, perms needed, protected)."""
    objs = list(objs)
    opts = model_admin.model._meta
    site = model_admin.admin_site
    listed = []
    for obj in objs:
        try:
            url = reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
            listed.append(format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj))
        except NoReverseMatch:
            listed.append(f"{capfirst(opts.verbose_name)}: {obj}")
    counts = {opts.verbose_name_plural: len(objs)}
    perms_needed = set()
    for queryset in dependants:
        count = queryset.count()
        if not count:
            continue
        meta = queryset.model._meta
        counts[meta.verbose_name_plural] = count
        if site.is_registered(queryset.model) and not site.get_model_admin(
                queryset.model).has_delete_permission(request):
            perms_needed.add(meta.verbose_name)
    return listed, counts, perms_needed, []
