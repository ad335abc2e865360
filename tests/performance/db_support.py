"""Shared helpers of the database-layer tests."""

from __future__ import annotations

import os

import pytest

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
