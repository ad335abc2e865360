"""``@profiled``: the function is unchanged to its callers, and its spans reach the recorder."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from django.db import connection
from django.test import override_settings

from performance.db import recorder as db_recorder
from performance.profiling import profiled
from performance.profiling.spans import active

from .monitoring_support import clean_spans, stats_of  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("clean_spans")


class Refused(Exception):
    pass


@profiled
def add(a: int, b: int = 2, *, scale: float = 1.0) -> float:
    """Adds and scales."""
    return (a + b) * scale


@profiled(name="tests.refuse")
def refuse(reason: str) -> None:
    raise Refused(reason)


@profiled
async def later(value: int) -> int:
    await asyncio.sleep(0)
    return value * 2


def test_return_value_name_docstring_and_signature_are_kept():
    assert add(1, 2, scale=2.0) == 6.0
    assert add.__name__ == "add" and add.__doc__ == "Adds and scales."
    assert inspect.signature(add) == inspect.signature(add.__wrapped__)
    assert list(inspect.signature(add).parameters) == ["a", "b", "scale"]


def test_the_same_exception_is_raised_and_counted_as_an_error():
    with pytest.raises(Refused) as caught:
        refuse("no")
    assert caught.value.args == ("no",)
    assert caught.traceback[-1].name == "refuse"  # raised where it was, not by the wrapper
    stats = stats_of("function", "tests.refuse")
    assert stats.count == 1 and stats.errors == 1


def test_spans_are_named_after_module_and_qualname():
    for _ in range(3):
        add(1)
    stats = stats_of("function", f"{__name__}.add")
    assert stats.count == 3 and stats.errors == 0
    assert sum(stats.histogram.values()) == 3


def test_async_functions_keep_being_coroutines():
    assert inspect.iscoroutinefunction(later)
    assert asyncio.run(later(4)) == 8
    assert stats_of("function", f"{__name__}.later").count == 1


def test_a_block_is_a_span_too():
    with profiled("tests.block"):
        add(1)
    assert stats_of("function", "tests.block").count == 1
    with pytest.raises(Refused), profiled("tests.failing-block"):
        raise Refused("inside")
    assert stats_of("function", "tests.failing-block").errors == 1


@pytest.mark.django_db
def test_queries_inside_the_call_are_counted_from_the_request_scope():
    @profiled(name="tests.querying")
    def querying():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT 2")

    connection.ensure_connection()
    token = db_recorder.begin("request", "tests.view")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 0")  # before the call: not the function's
    querying()
    db_recorder.end(token)
    assert stats_of("function", "tests.querying").queries == 2


def test_the_outermost_span_owns_the_thread_for_the_sampler():
    seen = []

    @profiled(name="tests.inner")
    def inner():
        seen.append({owner.span for owner in active.values()})

    @profiled(name="tests.outer")
    def outer():
        inner()

    outer()
    assert seen == [{"tests.outer"}]
    assert active == {}  # released when the outer call returned


@override_settings(PERFORMANCE_PROFILING=False)
def test_when_profiling_is_off_calls_pass_straight_through():
    assert add(2) == 4
    with profiled("tests.off"):
        pass
    assert stats_of("function", f"{__name__}.add").count == 0
    assert stats_of("function", "tests.off").count == 0
