import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Cached billing totals are keyed by organisation id, which SQLite may reuse across tests.
    cache.clear()
    yield
    cache.clear()
