"""A route whose time is mostly template rendering, from the sampled stacks."""

from __future__ import annotations

from collections import defaultdict

from performance.bottlenecks.base import Finding, Rule, Severity, share
from performance.monitoring_models import HOUR, StackRollup, StackText

RENDERING = ("django.template.", "jinja2.")


class TemplateRenderingRule(Rule):
    name = "template_rendering"
    thresholds = {"min_share": 0.5, "min_samples": 50, "window_minutes": 120}

    def evaluate(self, now):
        totals: dict[str, int] = defaultdict(int)
        by_stack: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        since = self.since(now).replace(minute=0, second=0, microsecond=0)
        rows = StackRollup.objects.filter(resolution=HOUR, kind="request", bucket__gte=since)
        for name, stack_hash, count in rows.values_list("name", "stack_hash", "count"):
            totals[name] += count
            by_stack[name][stack_hash] += count
        candidates = [name for name, total in totals.items() if total >= self.t["min_samples"]]
        hashes = {h for name in candidates for h in by_stack[name]}
        texts = dict(StackText.objects.filter(hash__in=hashes).values_list("hash", "folded"))
        findings = []
        for name in candidates:
            rendering = sum(n for h, n in by_stack[name].items()
                            if any(f";{p}" in f";{texts.get(h, '')}" for p in RENDERING))
            part = share(rendering, totals[name])
            if part < self.t["min_share"]:
                continue
            findings.append(Finding(
                subject=name, title=f"{name} spends {part:.0%} of its time rendering templates",
                severity=Severity.MEDIUM,
                evidence={"route": name, "samples": totals[name], "rendering_samples": rendering,
                          "rendering_share": part},
                recommendation=(
                    f"Most samples of {name} are inside template rendering. Cache the fragments that do not "
                    f"change per request ({{% cache %}} keyed by what changes), move loops and formatting "
                    f"out of the template into the view or a selector, and make sure the template "
                    f"evaluates no queryset of its own (select_related/only in the selector). Its flame "
                    f"graph shows which template tags cost most."
                ),
            ))
        return findings
