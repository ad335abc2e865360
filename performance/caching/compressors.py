"""zstd compression for django-redis values above a size threshold.

django-redis ships a zstd compressor built on ``pyzstd``; this one uses the
``zstandard`` package we already depend on. Small values are stored as they
are: compressing them costs CPU and saves nothing.
"""

from __future__ import annotations

from typing import Any

import zstandard
from django_redis.compressors.base import BaseCompressor
from django_redis.exceptions import CompressorError

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class ZstdCompressor(BaseCompressor):
    """``COMPRESSOR`` for django-redis.

    OPTIONS: ``COMPRESS_MIN_LENGTH`` (bytes, default 1024) and
    ``COMPRESS_LEVEL`` (default 3). A frame that claims to expand beyond
    ``COMPRESS_MAX_SIZE`` (default 64 MiB) is refused, so a planted value
    cannot exhaust memory.
    """

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.min_length = int(options.get("COMPRESS_MIN_LENGTH", 1024))
        self.level = int(options.get("COMPRESS_LEVEL", 3))
        self.max_size = int(options.get("COMPRESS_MAX_SIZE", 64 * 1024 * 1024))

    def compress(self, value: bytes) -> bytes:
        if len(value) < self.min_length:
            return value
        return zstandard.compress(value, self.level)

    def decompress(self, value: bytes) -> bytes:
        # Uncompressed values cannot start with the frame magic: our msgpack
        # payloads never do, so the raw value is what was stored.
        if not value.startswith(ZSTD_MAGIC):
            raise CompressorError("not a zstd frame")
        try:
            size = zstandard.frame_content_size(value)
            if size < 0 or size > self.max_size:
                raise CompressorError(f"zstd frame of unknown or excessive size ({size})")
            return zstandard.decompress(value, max_output_size=self.max_size)
        except zstandard.ZstdError as exc:
            raise CompressorError(str(exc)) from exc
