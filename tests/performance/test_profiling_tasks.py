"""Task spans from Celery's signals: named after the task, failures counted, the wait in the queue."""

from __future__ import annotations

import time

import pytest
from celery import shared_task
from django.db import connection

from performance.db import celery_signals

from .db_support import clean_buffer  # noqa: F401 - fixture
from .monitoring_support import clean_spans, stats_of  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_spans", "clean_buffer")]


@shared_task(name="tests.performance.counting_task")
def counting_task(n: int) -> int:
    with connection.cursor() as cursor:
        for i in range(n):
            cursor.execute("SELECT %s", [i])
    return n


@shared_task(name="tests.performance.failing_task")
def failing_task() -> None:
    raise ValueError("task failed")


def test_a_task_is_a_span_named_after_it_with_its_queries():
    assert counting_task.apply(args=[3]).get() == 3
    stats = stats_of("task", "tests.performance.counting_task")
    assert stats.count == 1 and stats.errors == 0 and stats.queries == 3


def test_a_failed_task_counts_as_an_error_and_still_fails():
    result = failing_task.apply()
    assert result.failed() and isinstance(result.result, ValueError)
    assert stats_of("task", "tests.performance.failing_task").errors == 1


def test_the_time_a_task_waited_in_the_queue_is_a_queue_span():
    counting_task.apply(args=[0], headers={celery_signals.SENT_AT: time.time() - 2.5})
    wait = stats_of("queue", "tests.performance.counting_task")
    assert wait.count == 1 and wait.total_s >= 2.5


def test_publishing_stamps_the_message_and_odd_stamps_are_ignored():
    headers = {}
    celery_signals._before_publish(headers=headers)
    assert abs(headers[celery_signals.SENT_AT] - time.time()) < 60
    counting_task.apply(args=[0], headers={celery_signals.SENT_AT: "not a time"})
    assert stats_of("queue", "tests.performance.counting_task").count == 0


def test_a_task_given_an_eta_waited_on_purpose_and_is_left_out():
    class Request:
        eta = "2026-11-30T12:00:00+00:00"
        perf_sent_at = time.time() - 60

    class Task:
        request = Request()

    assert celery_signals._queue_wait(Task()) is None
    Request.eta = None
    assert celery_signals._queue_wait(Task()) >= 60
