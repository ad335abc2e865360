"""Settings for bench/querycache.py only: the product's, plus django-cachalot on the scan tables."""

from dataguardian.settings import *  # noqa: F403 - a variant of the product's settings
from dataguardian.settings import CACHES, INSTALLED_APPS, REDIS_URL

INSTALLED_APPS = [*INSTALLED_APPS, "cachalot"]
# cachalot keeps its own cache (pickle, as it expects) apart from the product's.
CACHES = {**CACHES, "cachalot": {
    "BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "bench-cachalot",
}}
CACHALOT_CACHE = "cachalot"
# The ORM lists orgs_organization among a Finding query's tables (the FK's model).
CACHALOT_ONLY_CACHABLE_TABLES = frozenset({"scans_finding", "scans_scan", "orgs_organization"})
CACHALOT_TIMEOUT = 3600
