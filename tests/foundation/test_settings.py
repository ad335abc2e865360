"""Settings come from the environment, with safe defaults and plain errors."""

import re
from pathlib import Path

import pytest

from dataguardian.config import ConfigError
from dataguardian.scanner import matcher_cache
from performance import metrics
from tests.foundation.support import PRODUCTION_ENV, ROOT, manage

# Every variable the README documents, with a value to set and what it must become.
DOCUMENTED = {
    "DATABASE_URL": ("postgres://u:p@db.example:6543/dg",
                     lambda s: s["DATABASES"]["default"]["PORT"] == 6543),
    "REDIS_URL": ("redis://cache.example:6380/3",
                  lambda s: s["CACHES"]["default"]["LOCATION"] == "redis://cache.example:6380/3"),
    "SECRET_KEY": ("s" * 60, lambda s: s["SECRET_KEY"] == "s" * 60),
    "DEBUG": ("true", lambda s: s["DEBUG"] is True),
    "ALLOWED_HOSTS": ("a.example, b.example", lambda s: s["ALLOWED_HOSTS"] == ["a.example", "b.example"]),
    "CSRF_TRUSTED_ORIGINS": ("https://a.example", lambda s: s["CSRF_TRUSTED_ORIGINS"] == ["https://a.example"]),
    "DB_POOL_MIN_SIZE": ("3", lambda s: s["DB_POOL_MIN_SIZE"] == 3),
    "DB_POOL_MAX_SIZE": ("7", lambda s: s["DB_POOL_MAX_SIZE"] == 7),
    "DB_POOL_TIMEOUT": ("4", lambda s: s["DB_POOL_TIMEOUT"] == 4),
    "DB_STATEMENT_TIMEOUT_MS": ("1234", lambda s: s["DB_STATEMENT_TIMEOUT_MS"] == 1234),
    "DB_LOCK_TIMEOUT_MS": ("555", lambda s: s["DB_LOCK_TIMEOUT_MS"] == 555),
    "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS": ("777", lambda s: s["DB_IDLE_IN_TRANSACTION_TIMEOUT_MS"] == 777),
    "DB_APPLICATION_NAME": ({"DATABASE_URL": "postgres://u@h:5432/dg", "DB_APPLICATION_NAME": "dg-test"},
                            lambda s: s["DATABASES"]["default"]["OPTIONS"]["application_name"] == "dg-test"),
    "DB_POOL": ("false", lambda s: s["DB_POOL"] is False),
    "DB_POOL_CHECK": ("false", lambda s: s["DB_POOL_CHECK"] is False),
    "DB_CONN_MAX_AGE": ("60", lambda s: s["DB_CONN_MAX_AGE"] == 60),
    "PERFORMANCE_DB_INSTRUMENTATION": ("false", lambda s: s["PERFORMANCE_DB_INSTRUMENTATION"] is False),
    "PERFORMANCE_SLOW_QUERY_MS": ("250", lambda s: s["PERFORMANCE_SLOW_QUERY_MS"] == 250),
    "PERFORMANCE_N_PLUS_ONE_THRESHOLD": ("5", lambda s: s["PERFORMANCE_N_PLUS_ONE_THRESHOLD"] == 5),
    "PERFORMANCE_EXPLAIN_SLOW_QUERIES": ("true", lambda s: s["PERFORMANCE_EXPLAIN_SLOW_QUERIES"] is True),
    "PERFORMANCE_DB_FLUSH_INTERVAL": ("10", lambda s: s["PERFORMANCE_DB_FLUSH_INTERVAL"] == 10),
    "PERFORMANCE_PGSS_TOP": ("20", lambda s: s["PERFORMANCE_PGSS_TOP"] == 20),
    "PERFORMANCE_PGSS_RETENTION_DAYS": ("3", lambda s: s["PERFORMANCE_PGSS_RETENTION_DAYS"] == 3),
    "PERFORMANCE_QUERY_CACHE": ("false", lambda s: s["PERFORMANCE_QUERY_CACHE"] is False),
    "PERFORMANCE_PROFILING": ("false", lambda s: s["PERFORMANCE_PROFILING"] is False),
    "PERFORMANCE_FLUSH_INTERVAL": ("20", lambda s: s["PERFORMANCE_FLUSH_INTERVAL"] == 20),
    "PERFORMANCE_PROFILER_HZ": ("53", lambda s: s["PERFORMANCE_PROFILER_HZ"] == 53),
    "PERFORMANCE_DEEP_PROFILE": ("false", lambda s: s["PERFORMANCE_DEEP_PROFILE"] is False),
    "PERFORMANCE_MONITOR_INTERVAL": ("15", lambda s: s["PERFORMANCE_MONITOR_INTERVAL"] == 15),
    "PERFORMANCE_MONITOR_DISKS": ("/,/srv", lambda s: s["PERFORMANCE_MONITOR_DISKS"] == ["/", "/srv"]),
    "PERFORMANCE_RETENTION_RAW_HOURS": ("6", lambda s: s["PERFORMANCE_RETENTION_RAW_HOURS"] == 6),
    "PERFORMANCE_RETENTION_MINUTE_DAYS": ("7", lambda s: s["PERFORMANCE_RETENTION_MINUTE_DAYS"] == 7),
    "PERFORMANCE_RETENTION_HOUR_DAYS": ("90", lambda s: s["PERFORMANCE_RETENTION_HOUR_DAYS"] == 90),
    "PERFORMANCE_METRICS": ("false", lambda s: s["PERFORMANCE_METRICS"] is False),
    # settings.py leaves PERFORMANCE_METRICS_DIR empty under pytest; the metrics read the variable then.
    "PROMETHEUS_MULTIPROC_DIR": ("{tmp}/prometheus-files",
                                 lambda s: Path(metrics.multiprocess_dir()).name == "prometheus-files"),
    "PERFORMANCE_METRICS_TOKEN": ("t0ken", lambda s: s["PERFORMANCE_METRICS_TOKEN"] == "t0ken"),
    "PERFORMANCE_METRICS_ALLOWED_IPS": ("10.0.0.0/8, 192.0.2.7", lambda s: s[
        "PERFORMANCE_METRICS_ALLOWED_IPS"] == ["10.0.0.0/8", "192.0.2.7"]),
    "REDIS_MAX_CONNECTIONS": ("12", lambda s: s["REDIS_MAX_CONNECTIONS"] == 12),
    "CACHE_KEY_PREFIX": ({"REDIS_URL": "redis://cache.example:6379/2", "CACHE_KEY_PREFIX": "zz"},
                         lambda s: s["CACHES"]["default"]["KEY_PREFIX"] == "zz"),
    "REDIS_SOCKET_TIMEOUT_MS": ("100", lambda s: s["REDIS_SOCKET_TIMEOUT_MS"] == 100),
    "REDIS_SOCKET_CONNECT_TIMEOUT_MS": ("150", lambda s: s["REDIS_SOCKET_CONNECT_TIMEOUT_MS"] == 150),
    "CACHE_RETRY_INTERVAL_MS": ("500", lambda s: s["CACHE_RETRY_INTERVAL_MS"] == 500),
    "CACHE_FALLBACK_MAX_ENTRIES": ("99", lambda s: s["CACHE_FALLBACK_MAX_ENTRIES"] == 99),
    "CACHE_FALLBACK_MAX_TTL": ("30", lambda s: s["CACHE_FALLBACK_MAX_TTL"] == 30),
    "CACHE_COMPRESS_MIN_BYTES": ("2048", lambda s: s["CACHE_COMPRESS_MIN_BYTES"] == 2048),
    **{f"CACHE_TTL_{ns.upper()}": ("42", lambda s, ns=ns: s["PERFORMANCE_CACHE_NAMESPACES"][ns]["ttl"] == 42)
       for ns in ("scan_results", "sessions", "performance", "dashboard")},
    "CELERY_BROKER_URL": ("redis://broker.example:6379/1",
                          lambda s: s["CELERY_BROKER_URL"] == "redis://broker.example:6379/1"),
    "CELERY_TASK_SOFT_TIME_LIMIT": ("100", lambda s: s["CELERY_TASK_SOFT_TIME_LIMIT"] == 100),
    "CELERY_TASK_TIME_LIMIT": ("120", lambda s: s["CELERY_TASK_TIME_LIMIT"] == 120),
    "CELERY_TASK_ALWAYS_EAGER": ("true", lambda s: s["CELERY_TASK_ALWAYS_EAGER"] is True),
    "DG_FINDING_HASH_KEY": ("hash-key", lambda s: s["FINDING_HASH_KEY"] == "hash-key"),
    # Read by the scanner itself, not by settings.py:
    "DG_SCANNER_CACHE_DIR": ("{tmp}/compiled", lambda s: matcher_cache.cache_dir().name == "compiled"),
    "DG_MAX_UPLOAD_MB": ("50", lambda s: s["DG_MAX_UPLOAD_MB"] == 50),
    "DG_KEEP_UPLOADS": ("yes", lambda s: s["DG_KEEP_UPLOADS"] is True),
    "DG_SIGNIN_MAX_FAILURES": ("3", lambda s: s["DG_SIGNIN_MAX_FAILURES"] == 3),
    "DG_SIGNIN_LOCKOUT_SECONDS": ("60", lambda s: s["DG_SIGNIN_LOCKOUT_SECONDS"] == 60),
    "DG_SCAN_FOLDERS": ("/srv/a,/srv/b", lambda s: s["DG_SCAN_FOLDERS"] == ["/srv/a", "/srv/b"]),
    "DG_SCAN_DATABASE_HOSTS": ("db1.example,10.0.0.5:6432",
                               lambda s: s["DG_SCAN_DATABASE_HOSTS"] == ["db1.example", "10.0.0.5:6432"]),
    "DG_MAX_UPLOAD_FILES": ("20", lambda s: s["DG_MAX_UPLOAD_FILES"] == 20
                            and s["DATA_UPLOAD_MAX_NUMBER_FILES"] == 21),
    "DG_MAX_ARCHIVE_MEMBERS": ("500", lambda s: s["DG_MAX_ARCHIVE_MEMBERS"] == 500),
    "DG_PHONE_REGIONS": ("nl, be,US", lambda s: s["DG_PHONE_REGIONS"] == ("NL", "BE", "US")),
    "DG_MAX_UNCOMPRESSED_MB": ("100", lambda s: s["DG_MAX_UNCOMPRESSED_MB"] == 100),
    "DG_MAX_COMPRESSION_RATIO": ("50", lambda s: s["DG_MAX_COMPRESSION_RATIO"] == 50),
    "DG_CHUNK_MB": ("4", lambda s: s["DG_CHUNK_MB"] == 4),
    "DG_CHUNK_FILES": ("100", lambda s: s["DG_CHUNK_FILES"] == 100),
    "DG_CHUNK_MAX_RETRIES": ("5", lambda s: s["DG_CHUNK_MAX_RETRIES"] == 5),
    "DG_STALE_SCAN_MINUTES": ("30", lambda s: s["DG_STALE_SCAN_MINUTES"] == 30),
    "DG_STALE_SCAN_MAX_REQUEUES": ("1", lambda s: s["DG_STALE_SCAN_MAX_REQUEUES"] == 1),
    "DG_UNSTARTED_SCAN_SECONDS": ("120", lambda s: s["DG_UNSTARTED_SCAN_SECONDS"] == 120),
    "SESSION_COOKIE_AGE": ("3600", lambda s: s["SESSION_COOKIE_AGE"] == 3600),
    "SESSIONS_ACTIVITY_WRITE_INTERVAL": ("30", lambda s: s["SESSIONS_EXT_ACTIVITY_WRITE_INTERVAL"] == 30),
    "SESSIONS_TRUNCATE_IP": ("true", lambda s: s["SESSIONS_EXT_TRUNCATE_IP"] is True),
    "SESSIONS_CLIENT_IP_HEADER": ("HTTP_X_REAL_IP",
                                  lambda s: s["SESSIONS_EXT_CLIENT_IP_HEADER"] == "HTTP_X_REAL_IP"),
    "SESSIONS_MAX_PER_USER": ("3", lambda s: s["SESSIONS_EXT_MAX_SESSIONS_PER_USER"] == 3),
    "SESSIONS_ACTIVITY_RETENTION_DAYS": ("90", lambda s: s["SESSIONS_EXT_ACTIVITY_RETENTION_DAYS"] == 90),
    "DG_VAR_DIR": ("{tmp}/state", lambda s: Path(s["DATABASES"]["default"]["NAME"]).parent.name == "state"),
    "MEDIA_ROOT": ("/tmp/dg-media", lambda s: str(s["MEDIA_ROOT"]) == "/tmp/dg-media"),
    "STATIC_ROOT": ("/tmp/dg-static", lambda s: str(s["STATIC_ROOT"]) == "/tmp/dg-static"),
    "TIME_ZONE": ("UTC", lambda s: s["TIME_ZONE"] == "UTC"),
    "LOG_LEVEL": ("WARNING", lambda s: s["LOGGING"]["root"]["level"] == "WARNING"),
    "DEFAULT_FROM_EMAIL": ("x@example.com", lambda s: s["DEFAULT_FROM_EMAIL"] == "x@example.com"),
    "EMAIL_URL": ({**PRODUCTION_ENV, "EMAIL_URL": "smtp://mail.example:2525"},
                  lambda s: (s["EMAIL_HOST"], s["EMAIL_PORT"]) == ("mail.example", 2525)),
    "SECURE_SSL_REDIRECT": ("false", lambda s: s["SECURE_SSL_REDIRECT"] is False),
    "SECURE_HSTS_SECONDS": ("60", lambda s: s["SECURE_HSTS_SECONDS"] == 60),
    "USE_X_FORWARDED_PROTO": ("true",
                              lambda s: s["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")),
    "DEBUG_TOOLBAR": ("true", lambda s: s["DEBUG_TOOLBAR"] is True),
}


def documented_variables() -> set[str]:
    """Names in the first column of the README's environment table."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Environment", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]+)`", section, flags=re.M))


def test_every_documented_variable_has_a_parsing_test():
    assert documented_variables() == set(DOCUMENTED)


@pytest.mark.parametrize("variable", sorted(DOCUMENTED))
def test_documented_variable_is_parsed(load_settings, tmp_path, variable):
    value, check = DOCUMENTED[variable]
    environment = value if isinstance(value, dict) else {variable: value}
    assert check(load_settings(**{k: v.format(tmp=tmp_path) for k, v in environment.items()})), variable


def test_embedded_default(load_settings, tmp_path):
    s = load_settings()
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(s["DATABASES"]["default"]["NAME"]).parent == tmp_path / "var"
    assert s["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert s["CELERY_BROKER_URL"] == "filesystem://"
    assert s["CELERY_RESULT_BACKEND"] == "django-db"
    assert s["DG_PHONE_REGIONS"] == ("NL",)
    # The secret key is generated once and kept.
    assert (tmp_path / "var" / "secret_key").read_text() == s["SECRET_KEY"]
    assert load_settings()["SECRET_KEY"] == s["SECRET_KEY"]
    assert len(s["SECRET_KEY"]) >= 50


def test_the_debug_toolbar_is_off_unless_asked_for(load_settings):
    assert load_settings(DEBUG="true")["DEBUG_TOOLBAR"] is False
    assert load_settings(DEBUG="true", DEBUG_TOOLBAR="true")["DEBUG_TOOLBAR"] is True
    assert load_settings(**PRODUCTION_ENV, DEBUG_TOOLBAR="true")["DEBUG_TOOLBAR"] is False


def test_postgres_uses_the_native_pool_and_connection_options(load_settings):
    s = load_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/dg",
        DB_POOL_MIN_SIZE="1", DB_POOL_MAX_SIZE="4", DB_POOL_TIMEOUT="3",
        DB_STATEMENT_TIMEOUT_MS="2000", DB_APPLICATION_NAME="dg-test",
    )
    db = s["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 3}
    assert db["OPTIONS"]["application_name"] == "dg-test"
    assert "-c statement_timeout=2000" in db["OPTIONS"]["options"]
    assert db["CONN_MAX_AGE"] == 0


def test_redis_url_selects_django_redis_with_a_safe_serializer(load_settings):
    s = load_settings(REDIS_URL="redis://127.0.0.1:6379/2", CACHE_KEY_PREFIX="zz")
    cache = s["CACHES"]["default"]
    assert cache["BACKEND"] == "performance.caching.backend.ResilientRedisCache"  # django-redis + fallback
    assert cache["KEY_PREFIX"] == "zz"
    assert "pickle" not in cache["OPTIONS"]["SERIALIZER"].lower()
    s = load_settings(REDIS_URL="redis://127.0.0.1:6379/2", REDIS_SOCKET_TIMEOUT_MS="100",
                      CACHE_RETRY_INTERVAL_MS="500", CACHE_FALLBACK_MAX_TTL="30")
    options = s["CACHES"]["default"]["OPTIONS"]
    assert options["SOCKET_TIMEOUT"] == 0.1
    assert (options["RETRY_INTERVAL"], options["FALLBACK_MAX_TTL"]) == (0.5, 30)
    assert s["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/2"


def test_metrics_are_refused_to_everyone_in_production_until_configured(load_settings):
    development = load_settings()
    assert development["PERFORMANCE_METRICS_ALLOWED_IPS"] == ["127.0.0.1", "::1"]
    production = load_settings(**PRODUCTION_ENV)
    assert production["PERFORMANCE_METRICS_ALLOWED_IPS"] == []
    assert production["PERFORMANCE_METRICS_TOKEN"] == ""


def test_production_email_url(load_settings):
    s = load_settings(**PRODUCTION_ENV, EMAIL_URL="smtp://mail.example:2525")
    assert s["EMAIL_HOST"] == "mail.example"
    assert s["EMAIL_PORT"] == 2525


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://x@h/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@h:port/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://u@h:5432/"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://h:abc/0"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://h:6379/zero"}, "REDIS_URL"),
        ({"DB_POOL_MAX_SIZE": "many"}, "DB_POOL_MAX_SIZE"),
        ({"DB_POOL_MIN_SIZE": "20", "DB_POOL_MAX_SIZE": "5"}, "DB_POOL_MIN_SIZE"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"DEBUG": "false"}, "SECRET_KEY"),
        ({**PRODUCTION_ENV, "DG_FINDING_HASH_KEY": ""}, "DG_FINDING_HASH_KEY"),
        ({**PRODUCTION_ENV, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"DG_SCAN_DATABASE_HOSTS": "db.example:"}, "DG_SCAN_DATABASE_HOSTS"),
        ({"DG_SCAN_DATABASE_HOSTS": "user@db.example"}, "DG_SCAN_DATABASE_HOSTS"),
        ({"DG_SCAN_DATABASE_HOSTS": "/var/run/postgresql"}, "DG_SCAN_DATABASE_HOSTS"),
        ({"DG_PHONE_REGIONS": "NL,XX"}, "DG_PHONE_REGIONS"),
        ({"DG_PHONE_REGIONS": ","}, "DG_PHONE_REGIONS"),
        ({"PERFORMANCE_METRICS_ALLOWED_IPS": "10.0.0.0/8,intranet"}, "PERFORMANCE_METRICS_ALLOWED_IPS"),
    ],
)
def test_bad_environment_names_the_variable(load_settings, variables, named):
    with pytest.raises(ConfigError) as caught:
        load_settings(**variables)
    assert caught.value.variable == named


@pytest.mark.parametrize(
    "variables",
    [{"DATABASE_URL": "postgres://u@h:port/db"}, {"REDIS_URL": "localhost:6379"}, {"DEBUG": "false"}],
)
def test_start_up_stops_with_one_line_not_a_traceback(tmp_path, variables):
    result = manage(tmp_path, "check", **variables)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: ")
    assert next(iter(variables)) in lines[0]
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
