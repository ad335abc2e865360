"""The performance app's settings: one module, defaults in one place, read when used."""

import pytest
from django.test import override_settings

from performance import conf
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
