"""/metrics: Prometheus text with route-pattern labels, guarded, and correct across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path
from prometheus_client.parser import text_string_to_metric_families

from tests.foundation.support import ROOT

pytestmark = pytest.mark.django_db


def item(request, pk):
    return HttpResponse("ok")


urlpatterns = [path("items/<int:pk>/", item, name="item"), path("", include("performance.urls"))]


def samples(text: str, name: str) -> dict[tuple, float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def requests_total(text: str, route: str) -> float:
    return sum(v for labels, v in samples(text, "http_requests_total").items() if ("route", route) in labels)


@override_settings(ROOT_URLCONF=__name__, PERFORMANCE_METRICS_ALLOWED_IPS=["127.0.0.1"])
def test_metrics_parse_and_label_by_route_pattern(client):
    before = requests_total(client.get("/metrics").content.decode(), "item")
    for pk in (1, 22, 333):
        client.get(f"/items/{pk}/")
    response = client.get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert requests_total(text, "item") == before + 3
    labels = dict(next(k for k in samples(text, "http_requests_total") if ("route", "item") in k))
    assert labels == {"route": "item", "method": "GET", "status": "2xx"}
    assert "/items/" not in text and 'route="333"' not in text  # never a path
    assert samples(text, "http_request_duration_seconds_count")


@pytest.mark.parametrize("allowed, token, remote, authorization, status", [
    ([], "", "127.0.0.1", "", 403),                       # production default: nobody
    (["127.0.0.1"], "", "127.0.0.1", "", 200),
    (["10.0.0.0/8"], "", "10.1.2.3", "", 200),
    (["10.0.0.0/8"], "", "192.0.2.1", "", 403),
    ([], "s3cret-token", "192.0.2.1", "Bearer s3cret-token", 200),
    ([], "s3cret-token", "192.0.2.1", "Bearer wrong", 403),
    ([], "s3cret-token", "192.0.2.1", "", 403),
])
def test_only_configured_clients_may_read_them(client, allowed, token, remote, authorization, status):
    with override_settings(ROOT_URLCONF=__name__, PERFORMANCE_METRICS_ALLOWED_IPS=allowed,
                           PERFORMANCE_METRICS_TOKEN=token):
        response = client.get("/metrics", REMOTE_ADDR=remote, HTTP_AUTHORIZATION=authorization)
    assert response.status_code == status


WORKER = textwrap.dedent("""
    import os, sys
    import django
    django.setup()
    from performance import metrics
    for _ in range(int(sys.argv[1])):
        metrics.observe_request("scans:detail", "GET", 200, 0.02)
    metrics.observe_task("scans.scan_chunk", "SUCCESS", 1.5)
    metrics.set_pool(4, 1, int(sys.argv[2]))
    if sys.argv[3] == "render":
        sys.stdout.write(metrics.render()[0].decode())
""")


def run_process(directory, *args) -> tuple[int, str]:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "PYTHONPATH": str(ROOT),
           "DJANGO_SETTINGS_MODULE": "dataguardian.settings"}
    process = subprocess.Popen([sys.executable, "-c", WORKER, *args], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=ROOT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return process.pid, out


def test_counts_add_up_across_processes_and_a_dead_ones_gauges_go(tmp_path):
    from performance import metrics

    first, _ = run_process(tmp_path, "5", "2", "quiet")
    run_process(tmp_path, "7", "3", "quiet")
    with override_settings(PERFORMANCE_METRICS_DIR=str(tmp_path)):
        metrics.mark_process_dead(first)  # what gunicorn's child_exit hook does
    _, text = run_process(tmp_path, "0", "0", "render")  # a third process serves /metrics
    assert requests_total(text, "scans:detail") == 12  # counters keep a dead worker's counts
    tasks = samples(text, "celery_tasks_total")
    assert tasks[(("state", "SUCCESS"), ("task", "scans.scan_chunk"))] == 3
    pool = {dict(k)["state"]: v for k, v in samples(text, "db_pool_connections").items()}
    assert pool == {"open": 8, "idle": 2, "waiting": 3}  # the two live processes' gauges, summed
