"""Test-wide fixtures and the rules for tests that need real servers.

A test marked ``postgres`` or ``redis`` runs against the real server named by
DATABASE_URL / REDIS_URL; one marked ``browser`` drives Debian's Chromium
through Playwright. Without what it needs the test is skipped with a reason
that says so — except where DG_REQUIRE_SERVICES is set (CI, which installs
Chromium), where it fails instead, so nothing is silently skipped there.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"


def _services_required() -> bool:
    return os.environ.get("DG_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


def _missing(marker: str) -> str | None:
    from django.conf import settings

    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://... (the embedded default is SQLite)"
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://... (the embedded default has no Redis)"
    if marker == "browser":
        if importlib.util.find_spec("playwright") is None:
            return "needs Playwright for Python (requirements-dev.txt)"
        if not shutil.which(CHROMIUM):
            return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _missing(marker)
        if reason is None:
            continue
        if _services_required():
            pytest.fail(f"DG_REQUIRE_SERVICES is set but this test {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _scanner_cache_in_a_temporary_folder(tmp_path_factory):
    """The compiled-matcher cache (DG_SCANNER_CACHE_DIR) of the tests' own, not the user's ~/.cache."""
    previous = os.environ.get("DG_SCANNER_CACHE_DIR")
    os.environ["DG_SCANNER_CACHE_DIR"] = str(tmp_path_factory.mktemp("scanner-cache"))
    yield
    if previous is None:
        os.environ.pop("DG_SCANNER_CACHE_DIR", None)
    else:
        os.environ["DG_SCANNER_CACHE_DIR"] = previous


@pytest.fixture(scope="session", autouse=True)
def _drop_unflushed_query_statistics():
    """Processes flush their query statistics at exit; the test database is gone by then."""
    yield
    from performance.db.store import buffer

    buffer.clear()
