"""The safe serializer and the zstd compressor: what Redis hands back is data, never code."""

from __future__ import annotations

import logging
import os
import pickle

import pytest
import zstandard
from django.core.cache import caches

from performance.cache import namespace, stats
from performance.caching.compressors import ZSTD_MAGIC, ZstdCompressor
from performance.caching.serializers import RefusedPayload, SafeMsgpackSerializer

from .cache_support import clean_cache  # noqa: F401 - fixture


class Exploit:
    """Unpickling this would create ``marker``: proof that code ran."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_serializer_refuses_a_pickle_payload(tmp_path):
    marker = tmp_path / "executed"
    payload = pickle.dumps(Exploit(str(marker)))
    with pytest.raises(RefusedPayload):
        SafeMsgpackSerializer({}).loads(payload)
    assert not marker.exists()


def test_serializer_refuses_unknown_types_on_the_way_in():
    with pytest.raises(TypeError, match="Exploit"):
        SafeMsgpackSerializer({}).dumps({"x": Exploit("/nonexistent")})


def test_compressor_only_compresses_above_the_threshold():
    compressor = ZstdCompressor({"COMPRESS_MIN_LENGTH": 100})
    small, large = b"x" * 99, b"abc" * 1000
    assert compressor.compress(small) == small
    packed = compressor.compress(large)
    assert packed.startswith(ZSTD_MAGIC) and len(packed) < len(large)
    assert compressor.decompress(packed) == large


def test_compressor_refuses_a_frame_that_claims_too_much():
    from django_redis.exceptions import CompressorError

    bomb = zstandard.compress(b"\0" * 10_000)
    with pytest.raises(CompressorError):
        ZstdCompressor({"COMPRESS_MAX_SIZE": 1000}).decompress(bomb)


@pytest.mark.redis
def test_a_pickle_payload_planted_in_redis_is_refused_not_executed(clean_cache, tmp_path, caplog):  # noqa: F811
    marker = tmp_path / "executed"
    ns = namespace("scan_results")
    ns.set(("scan", 1), {"safe": True})
    raw_key = clean_cache.make_key(ns._key(("scan", 1)), version=ns.version())
    client = clean_cache.client.get_client()
    client.set(raw_key, pickle.dumps(Exploit(str(marker))))
    client.set(clean_cache.make_key("plain"), pickle.dumps(Exploit(str(marker))))

    with caplog.at_level(logging.WARNING, logger="performance.cache"):
        assert ns.get(("scan", 1), "miss") == "miss"
        assert clean_cache.get("plain") is None
        assert clean_cache.get_many(["plain"]) == {}
    assert not marker.exists()
    assert "refused a value" in caplog.text
    assert client.get(raw_key) is None  # the poisoned entry is gone
    assert stats()["namespaces"]["scan_results"]["errors"] == 1


@pytest.mark.redis
def test_large_values_are_stored_compressed_in_redis(clean_cache):  # noqa: F811
    ns = namespace("scan_results")
    value = {"rows": [["path/to/file.csv", n, 3] for n in range(500)]}
    ns.set("big", value)
    ns.set("small", {"n": 1})
    client = clean_cache.client.get_client()
    big = client.get(clean_cache.make_key(ns._key("big"), version=ns.version()))
    small = client.get(clean_cache.make_key(ns._key("small"), version=ns.version()))
    assert big.startswith(ZSTD_MAGIC)
    assert not small.startswith(ZSTD_MAGIC)
    assert ns.get("big") == value
    assert caches["default"].get("nothing") is None
