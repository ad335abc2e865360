"""The performance app's settings: one module, defaults in one place, read when used."""

import socket

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from performance import conf
from performance.bottlenecks import services as bottlenecks
from performance.caching import stats


def test_a_setting_without_a_declared_default_is_refused():
    with pytest.raises(KeyError):
        conf.get("PERFORMANCE_NO_SUCH_SETTING")


def test_an_override_is_seen_at_once_and_undone_after():
    before = stats.flush_interval()
    with override_settings(PERFORMANCE_CACHE_STATS_FLUSH_INTERVAL=123):
        assert stats.flush_interval() == 123.0
    assert stats.flush_interval() == before


def test_an_unset_setting_reads_its_default(settings):
    del settings.PERFORMANCE_QUERY_CACHE
    del settings.PERFORMANCE_CACHE_NAMESPACES
    assert conf.get("PERFORMANCE_QUERY_CACHE") == conf.DEFAULTS["PERFORMANCE_QUERY_CACHE"] == "auto"
    assert conf.cache_namespaces() == {}


def test_every_performance_setting_the_product_sets_has_its_default_here():
    product = {name for name in dir(django_settings) if name.startswith("PERFORMANCE_")}
    assert product - set(conf.DEFAULTS) == set()


def test_monitoring_reads_its_settings_through_the_one_module(settings):
    settings.PERFORMANCE_BOTTLENECK_RULES = ["performance.bottlenecks.cpu.CpuRule"]
    settings.PERFORMANCE_BOTTLENECK_THRESHOLDS = {"cpu": {"percent": 95}}
    [rule] = bottlenecks.configured_rules()
    assert (rule.name, rule.t["percent"]) == ("cpu", 95)
    settings.PERFORMANCE_HOST_NAME = ""
    assert conf.host_name() == socket.gethostname()[:100]
    settings.PERFORMANCE_HOST_NAME = "web-7"
    assert conf.host_name() == "web-7"
