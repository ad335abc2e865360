"""The export: valid against its schema, streamed, fingerprints and never a value; bad options refused."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

from performance import export
from performance.bottlenecks.n_plus_one import NPlusOneRule
from performance.bottlenecks.services import run_rules
from performance.db.store import flush as flush_query_statistics
from performance.monitor.sampler import HostMonitor
from performance.profiling import flusher
from performance.profiling.rollup import rollup_spans

from .db_support import clean_buffer  # noqa: F401 - fixture
from .monitoring_support import clean_spans  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_spans", "clean_buffer")]
SCHEMA = json.loads((Path(export.__file__).parent / "export_schema.json").read_text())
SECRET_EMAIL = "jan.geheim@example.nl"
SECRET_NUMBER = "987654321"


def member(request, email):
    """An N+1 whose parameters are personal: one query per looked-up value."""
    with connection.cursor() as cursor:
        for suffix in range(6):
            cursor.execute("SELECT count(*) FROM auth_user WHERE email = %s OR id = %s",
                           [f"{email}{suffix}", int(SECRET_NUMBER)])
    return HttpResponse("ok")


urlpatterns = [
    path("members/<str:email>/", member, name="member"),
    path("", include("performance.urls")),
    path("admin/", admin.site.urls),
]


@pytest.fixture
def recorded(client, settings):
    """One of everything: a request span with an N+1 on personal values, stacks, samples, a bottleneck."""
    settings.ROOT_URLCONF = __name__
    settings.PERFORMANCE_N_PLUS_ONE_THRESHOLD = 4
    client.get(f"/members/{SECRET_EMAIL}/?q={SECRET_NUMBER}")
    from performance.profiling.sampler import sampler

    minute = int(datetime.now(tz=UTC).timestamp() // 60)
    sampler.stacks[("request", "member", minute)] = {("views.member", "base.get_response"): 3}
    flush_query_statistics()
    assert flusher.flush() is True
    rollup_spans()
    monitor = HostMonitor(host="export-host")
    monitor.sample()
    monitor.write()
    run_rules(rules=[NPlusOneRule(min_total_ms=0)])


def document(since="1h") -> str:
    start, end = export.time_range(since)
    return "".join(export.export_json(start, end))


def test_the_export_validates_against_its_schema_and_holds_every_section(recorded):
    data = json.loads(document())
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert data["format"] == "dataguardian-performance-export" and data["version"] == 1
    assert {"member"} <= {row["name"] for row in data["spans"]}
    assert {row["resolution"] for row in data["rollups"]} == {60, 3600}
    assert data["stacks"][0]["stack"] == "base.get_response;views.member"
    assert data["system"][0]["host"] == "export-host"
    (bottleneck,) = data["bottlenecks"]
    assert "auth_user" in bottleneck["evidence"]["query_fingerprint"]


def test_no_parameter_value_or_path_reaches_the_export(recorded):
    text = document()
    assert SECRET_EMAIL not in text and "jan.geheim" not in text
    assert SECRET_NUMBER not in text
    assert "?" in json.loads(text)["bottlenecks"][0]["evidence"]["query_fingerprint"]


def test_the_document_streams_in_pieces_and_starts_before_reading_rows(recorded, django_assert_num_queries):
    start, end = export.time_range("1h")
    pieces = export.export_json(start, end)
    with django_assert_num_queries(0):
        head = next(pieces)
    assert head.startswith('{"format":"dataguardian-performance-export"')
    assert len(list(pieces)) > 10


def test_speedscope_profiles_point_at_shared_frames(recorded):
    start, end = export.time_range("1h")
    data = json.loads("".join(export.export_speedscope(start, end)))
    assert data["$schema"] == "https://www.speedscope.app/file-format-schema.json"
    (profile,) = data["profiles"]
    frames = data["shared"]["frames"]
    assert profile["name"] == "request member" and profile["weights"] == [3]
    assert [frames[i]["name"] for i in profile["samples"][0]] == ["base.get_response", "views.member"]


def test_the_command_writes_a_file_whole(recorded, tmp_path):
    target = tmp_path / "export.json"
    call_command("perf_export", "--since", "2h", "--output", str(target), stderr=io.StringIO())
    jsonschema.validate(json.loads(target.read_text()), SCHEMA)
    call_command("perf_export", "--since", "2h", "--format", "speedscope", "--output", str(target),
                 stderr=io.StringIO())
    assert "profiles" in json.loads(target.read_text())


@pytest.mark.parametrize("args, message", [
    (["--since", "yesterday"], "neither a duration"),
    (["--since", "0h"], "more than zero"),
    (["--since", "99999d"], "days back"),
    (["--since", "1h", "--until", "2h"], "must be before"),
    (["--format", "xml"], "invalid choice"),
])
def test_options_that_make_no_sense_are_refused(args, message, tmp_path):
    with pytest.raises(CommandError, match=message):
        call_command("perf_export", *args, "--output", str(tmp_path / "out.json"))
    assert os.listdir(tmp_path) == []


def test_a_bad_output_or_a_failure_midway_leaves_nothing_behind(tmp_path, monkeypatch):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("perf_export", "--output", str(tmp_path / "missing" / "out.json"))
    with pytest.raises(CommandError, match="is a folder"):
        call_command("perf_export", "--output", str(tmp_path))

    def breaks_midway(since, until):
        yield "{"
        raise RuntimeError("database went away")

    monkeypatch.setattr("performance.management.commands.perf_export.export_json", breaks_midway)
    with pytest.raises(RuntimeError):
        call_command("perf_export", "--output", str(tmp_path / "out.json"))
    assert os.listdir(tmp_path) == []


def test_staff_download_it_others_are_sent_to_sign_in(client, recorded):
    response = client.get("/performance/export/?since=1h")
    assert response.status_code == 302  # the admin's sign-in
    staff = get_user_model().objects.create_user("ops", password="x", is_staff=True)
    client.force_login(staff)
    response = client.get("/performance/export/?since=1h")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="performance-')
    data = json.loads(b"".join(response.streaming_content))
    jsonschema.validate(data, SCHEMA)
    assert client.get("/performance/export/?since=never").status_code == 400
    assert client.get("/performance/export/?format=csv").status_code == 400


def test_times_are_parsed_as_durations_or_iso_dates():
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert export.parse_time("90s", now) == now - timedelta(seconds=90)
    assert export.parse_time("7d", now) == now - timedelta(days=7)
    assert export.parse_time("2026-11-29T08:00", now) == datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    assert export.parse_time("2026-11-29T08:00+01:00", now).utcoffset() == timedelta(hours=1)
