"""A safe serializer for django-redis: msgpack with a few typed extensions.

Never pickle: whoever can write to Redis must not be able to run code in the
application. Decoding msgpack builds plain data only; anything that is not a
well-formed msgpack document of the known extension types is refused with
``RefusedPayload`` (the resilient backend then treats it as a miss).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

import msgpack
from django_redis.serializers.base import BaseSerializer

EXT_DATETIME, EXT_DATE, EXT_DECIMAL, EXT_UUID, EXT_TUPLE, EXT_SET, EXT_TIMEDELTA = range(1, 8)


class RefusedPayload(ValueError):
    """A value read from the cache is not a payload this serializer wrote."""


def _default(obj: Any) -> Any:
    # strict_types sends subclasses here too (SafeString, TextChoices members).
    if isinstance(obj, bool):
        return bool(obj)
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    if isinstance(obj, dict):
        return dict(obj)
    if isinstance(obj, datetime.datetime):
        return msgpack.ExtType(EXT_DATETIME, obj.isoformat().encode())
    if isinstance(obj, datetime.date):
        return msgpack.ExtType(EXT_DATE, obj.isoformat().encode())
    if isinstance(obj, datetime.timedelta):
        return msgpack.ExtType(EXT_TIMEDELTA, _pack([obj.days, obj.seconds, obj.microseconds]))
    if isinstance(obj, decimal.Decimal):
        return msgpack.ExtType(EXT_DECIMAL, str(obj).encode())
    if isinstance(obj, uuid.UUID):
        return msgpack.ExtType(EXT_UUID, obj.bytes)
    if isinstance(obj, tuple):
        return msgpack.ExtType(EXT_TUPLE, _pack(list(obj)))
    if isinstance(obj, (set, frozenset)):
        return msgpack.ExtType(EXT_SET, _pack(list(obj)))
    if isinstance(obj, list):
        return list(obj)
    raise TypeError(f"the cache cannot store {type(obj).__name__} values (msgpack, no pickle)")


def _ext_hook(code: int, data: bytes) -> Any:
    if code == EXT_DATETIME:
        return datetime.datetime.fromisoformat(data.decode())
    if code == EXT_DATE:
        return datetime.date.fromisoformat(data.decode())
    if code == EXT_TIMEDELTA:
        days, seconds, micro = _unpack(data)
        return datetime.timedelta(days=days, seconds=seconds, microseconds=micro)
    if code == EXT_DECIMAL:
        return decimal.Decimal(data.decode())
    if code == EXT_UUID:
        return uuid.UUID(bytes=data)
    if code == EXT_TUPLE:
        return tuple(_unpack(data))
    if code == EXT_SET:
        return set(_unpack(data))
    raise RefusedPayload(f"unknown msgpack extension type {code}")


def _pack(value: Any) -> bytes:
    return msgpack.packb(value, default=_default, strict_types=True, use_bin_type=True)


def _unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, ext_hook=_ext_hook, raw=False, strict_map_key=False)


class SafeMsgpackSerializer(BaseSerializer):
    """``SERIALIZER`` for django-redis: msgpack plus datetime, date, timedelta,
    Decimal, UUID, tuple and set; refuses everything else on the way in and out."""

    def dumps(self, value: Any) -> bytes:
        return _pack(value)

    def loads(self, value: bytes) -> Any:
        try:
            return _unpack(value)
        except RefusedPayload:
            raise
        except Exception as exc:  # noqa: BLE001 - any decoding failure means "not ours"
            raise RefusedPayload(f"not a msgpack payload ({type(exc).__name__})") from None
