"""Shared helpers of the database-layer tests."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connections

from performance.db.store import buffer


@pytest.fixture
def clean_buffer():
    """An empty query-statistics buffer before and after the test."""
    buffer.clear()
    yield buffer
    buffer.clear()


def require_or_skip(reason: str) -> None:
    """Skip with ``reason``, or fail where services are required (CI)."""
    if os.environ.get("DG_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"DG_REQUIRE_SERVICES is set but {reason}", pytrace=False)
    pytest.skip(reason)


def in_thread(fn):
    """Run ``fn`` on a thread of its own (its own connection); return its result."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    if "error" in box:
        raise box["error"]
    return box.get("value")
