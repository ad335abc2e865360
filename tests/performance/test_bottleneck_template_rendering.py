"""Template-rendering rule: a route whose sampled stacks are mostly inside template rendering."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from performance.bottlenecks.template_rendering import TemplateRenderingRule

from .monitoring_support import stack

pytestmark = pytest.mark.django_db
VIEW = "django.core.handlers.base.BaseHandler._get_response;dataguardian.scans.views.scan_detail"
RENDER = (f"{VIEW};django.shortcuts.render;django.template.base.Template.render;"
          "django.template.base.Node.render")
QUERY = f"{VIEW};django.db.models.query.QuerySet.__iter__"


def hour() -> datetime:
    return datetime.now(tz=UTC).replace(minute=0, second=0, microsecond=0)


def test_fires_when_most_samples_are_rendering():
    stack("scans:detail", RENDER, 70, hour())
    stack("scans:detail", QUERY, 30, hour())
    (finding,) = TemplateRenderingRule().run(datetime.now(tz=UTC))
    assert finding.subject == "scans:detail" and finding.evidence["rendering_share"] == 0.7
    assert "{% cache %}" in finding.recommendation


def test_quiet_below_half_or_with_too_few_samples():
    stack("scans:detail", RENDER, 45, hour())
    stack("scans:detail", QUERY, 55, hour())
    stack("scans:list", RENDER, 40, hour())  # all rendering, but only 40 samples
    assert TemplateRenderingRule().run(datetime.now(tz=UTC)) == []
