"""The stack sampler attributes each thread's stack to the span that thread is in."""

from __future__ import annotations

import threading

import pytest
from django.test import override_settings

from performance.profiling import profiled
from performance.profiling.sampler import OTHER, TRUNCATED, StackSampler

from .monitoring_support import clean_spans  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("clean_spans")


def leaf_of_alpha(ready, release):
    ready.set()
    release.wait(10)


def leaf_of_beta(ready, release):
    ready.set()
    release.wait(10)


@profiled(name="tests.alpha")
def alpha(ready, release):
    leaf_of_alpha(ready, release)


@profiled(name="tests.beta")
def beta(ready, release):
    leaf_of_beta(ready, release)


def idle(ready, release):
    ready.set()
    release.wait(10)


def run_threads(*targets):
    release = threading.Event()
    threads, readies = [], []
    for target in targets:
        ready = threading.Event()
        threads.append(threading.Thread(target=target, args=(ready, release)))
        readies.append(ready)
        threads[-1].start()
    for ready in readies:
        assert ready.wait(10)
    return threads, release


def test_each_thread_is_counted_under_its_own_span_and_idle_threads_not_at_all():
    sampler = StackSampler()
    threads, release = run_threads(alpha, beta, idle)
    try:
        for _ in range(5):
            assert sampler.sample_once() == 2  # alpha's and beta's threads; the idle one is in no span
    finally:
        release.set()
        for thread in threads:
            thread.join()
    taken = {(kind, name): stacks for (kind, name, _), stacks in sampler.take().items()}
    assert set(taken) == {("function", "tests.alpha"), ("function", "tests.beta")}
    alpha_stack, alpha_count = taken[("function", "tests.alpha")][0]
    beta_stack, _ = taken[("function", "tests.beta")][0]
    assert alpha_count == 5
    assert f"{__name__}.alpha;{__name__}.leaf_of_alpha;" in alpha_stack  # root first, module.qualname
    assert "leaf_of_beta" in beta_stack and "leaf_of_alpha" not in beta_stack
    assert sampler.take() == {}  # taking empties it


def test_nothing_is_read_when_no_thread_is_in_a_span():
    sampler = StackSampler()
    threads, release = run_threads(idle)
    release.set()
    threads[0].join()
    assert sampler.sample_once() == 0 and sampler.take() == {}


@override_settings(PERFORMANCE_PROFILER_MAX_DEPTH=3, PERFORMANCE_PROFILER_TOP_STACKS=1)
def test_deep_stacks_are_cut_and_rare_stacks_summed_as_other():
    sampler = StackSampler()
    threads, release = run_threads(alpha)
    try:
        sampler.sample_once()
        sampler.sample_once()
    finally:
        release.set()
        threads[0].join()
    threads, release = run_threads(alpha)  # same span, same stack
    sampler.stacks[next(iter(sampler.stacks))][("made.up",)] = 1  # a rarer stack
    release.set()
    threads[0].join()
    (stacks,) = sampler.take().values()
    (top, count), (other, rest) = stacks
    assert top.startswith(TRUNCATED) and len(top.split(";")) == 4 and count == 2
    assert (other, rest) == (OTHER, 1)


def test_a_failed_write_puts_the_stacks_back():
    sampler = StackSampler()
    threads, release = run_threads(alpha)
    try:
        sampler.sample_once()
    finally:
        release.set()
        threads[0].join()
    taken = sampler.take()
    sampler.put_back(taken)
    assert sampler.take() == taken
