"""Settings for DataGuardian Pro, read from the environment.

Nothing set gives the embedded default: SQLite under ``var/``, an in-process
cache, a filesystem Celery broker and secrets generated once into ``var/``.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL (with psycopg 3's
pool) and Redis. Every variable is listed, with its default, in README.md.
"""

import re
import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from dataguardian.config import (
    ConfigError,
    check_redis_url,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_phone_regions,
    persistent_secret,
    require,
)

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("DG_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool(env, "DEBUG", default=True)
PRODUCTION = not DEBUG
TESTING = "pytest" in sys.modules

if PRODUCTION:
    SECRET_KEY = require(env, "SECRET_KEY", "DEBUG is off")
    FINDING_HASH_KEY = require(env, "DG_FINDING_HASH_KEY", "DEBUG is off")
    ALLOWED_HOSTS = env_list(env, "ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ConfigError("ALLOWED_HOSTS", "must be set when DEBUG is off")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or persistent_secret(VAR_DIR / "secret_key")
    FINDING_HASH_KEY = env.str("DG_FINDING_HASH_KEY", default="") or persistent_secret(
        VAR_DIR / "finding_hash_key"
    )
    ALLOWED_HOSTS = env_list(env, "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list(env, "CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "django_celery_results",
    "axes",
    "performance",
    "sessions_ext",
    "dataguardian",
    "dataguardian.orgs",
    "dataguardian.scans",
    "dataguardian.billing",
]

MIDDLEWARE = [
    # First, so the queries of every other middleware are counted too.
    "performance.db.middleware.QueryCountMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "sessions_ext.middleware.SessionMiddleware",  # Django's, plus client and activity
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A Content-Security-Policy on every response (django-csp): see CONTENT_SECURITY_POLICY.
    "csp.middleware.CSPMiddleware",
    # Last: turns a lockout found while authenticating into the 429 page (dataguardian.signin).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dataguardian.urls"
WSGI_APPLICATION = "dataguardian.wsgi.application"
ASGI_APPLICATION = "dataguardian.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="")
DB_POOL_MIN_SIZE = env_int(env, "DB_POOL_MIN_SIZE", 2)
DB_POOL_MAX_SIZE = env_int(env, "DB_POOL_MAX_SIZE", 10, minimum=1)
DB_POOL_TIMEOUT = env_int(env, "DB_POOL_TIMEOUT", 10, minimum=1)
DB_STATEMENT_TIMEOUT_MS = env_int(env, "DB_STATEMENT_TIMEOUT_MS", 30_000)
DB_LOCK_TIMEOUT_MS = env_int(env, "DB_LOCK_TIMEOUT_MS", 10_000)
DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = env_int(env, "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", 60_000)
# DB_POOL=false turns the pool off: then DB_CONN_MAX_AGE seconds of persistent
# connections (0 = a new connection per request). For comparison (bench/db_pool.py).
DB_POOL = env_bool(env, "DB_POOL", default=True)
# Check each pooled connection as it is taken (one empty query): after a
# PostgreSQL restart every idle connection in the pool is dead, and without
# the check each would fail one request before being thrown away.
DB_POOL_CHECK = env_bool(env, "DB_POOL_CHECK", default=True)
DB_CONN_MAX_AGE = env_int(env, "DB_CONN_MAX_AGE", 0)
if DB_POOL_MIN_SIZE > DB_POOL_MAX_SIZE:
    raise ConfigError("DB_POOL_MIN_SIZE", f"must not exceed DB_POOL_MAX_SIZE ({DB_POOL_MAX_SIZE})")

if DATABASE_URL:
    _db = database_from_url(DATABASE_URL)
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "dataguardian.sqlite3")}

if _db["ENGINE"] == "django.db.backends.postgresql":
    # Session settings travel in the startup packet, so every pooled
    # connection has them from birth and no SET is ever run on checkout.
    _db["OPTIONS"] = {
        "pool": {
            "min_size": DB_POOL_MIN_SIZE,
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": DB_POOL_TIMEOUT,
        },
        "application_name": env.str("DB_APPLICATION_NAME", default="dataguardian"),
        "options": (
            f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
            f" -c lock_timeout={DB_LOCK_TIMEOUT_MS}"
            f" -c idle_in_transaction_session_timeout={DB_IDLE_IN_TRANSACTION_TIMEOUT_MS}"
        ),
    }
    _db["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not as well
    _db["CONN_HEALTH_CHECKS"] = DB_POOL_CHECK  # with a pool: psycopg_pool's check on checkout
    if not DB_POOL:
        del _db["OPTIONS"]["pool"]
        _db["CONN_MAX_AGE"] = DB_CONN_MAX_AGE
        _db["CONN_HEALTH_CHECKS"] = DB_CONN_MAX_AGE > 0
else:
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_MAX_CONNECTIONS = env_int(env, "REDIS_MAX_CONNECTIONS", 50, minimum=1)
REDIS_SOCKET_TIMEOUT_MS = env_int(env, "REDIS_SOCKET_TIMEOUT_MS", 250, minimum=1)
REDIS_SOCKET_CONNECT_TIMEOUT_MS = env_int(env, "REDIS_SOCKET_CONNECT_TIMEOUT_MS", 250, minimum=1)
CACHE_RETRY_INTERVAL_MS = env_int(env, "CACHE_RETRY_INTERVAL_MS", 2000, minimum=1)
CACHE_FALLBACK_MAX_ENTRIES = env_int(env, "CACHE_FALLBACK_MAX_ENTRIES", 5000, minimum=1)
CACHE_FALLBACK_MAX_TTL = env_int(env, "CACHE_FALLBACK_MAX_TTL", 60, minimum=1)
CACHE_COMPRESS_MIN_BYTES = env_int(env, "CACHE_COMPRESS_MIN_BYTES", 1024)
if REDIS_URL:
    check_redis_url(REDIS_URL)
    CACHES = {
        "default": {
            # django-redis plus a circuit breaker and an in-process fallback:
            # a Redis outage degrades the cache, never a page.
            "BACKEND": "performance.caching.backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="dg"),
            "OPTIONS": {
                # msgpack, never pickle: whoever can write to Redis must not be
                # able to run code here.
                "SERIALIZER": "performance.caching.serializers.SafeMsgpackSerializer",
                "COMPRESSOR": "performance.caching.compressors.ZstdCompressor",
                "COMPRESS_MIN_LENGTH": CACHE_COMPRESS_MIN_BYTES,
                "PARSER_CLASS": "redis._parsers.hiredis._HiredisParser",
                "CONNECTION_POOL_KWARGS": {"max_connections": REDIS_MAX_CONNECTIONS},
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_CONNECT_TIMEOUT_MS / 1000,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT_MS / 1000,
                "RETRY_INTERVAL": CACHE_RETRY_INTERVAL_MS / 1000,
                "FALLBACK_MAX_ENTRIES": CACHE_FALLBACK_MAX_ENTRIES,
                "FALLBACK_MAX_TTL": CACHE_FALLBACK_MAX_TTL,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "dataguardian",
        }
    }

# --- Performance: cache ---------------------------------------------------
# Namespaces of performance.cache and their TTLs in seconds.
PERFORMANCE_CACHE_NAMESPACES = {
    "scan_results": {"ttl": env_int(env, "CACHE_TTL_SCAN_RESULTS", 2 * 3600, minimum=1)},
    "sessions": {"ttl": env_int(env, "CACHE_TTL_SESSIONS", 3600, minimum=1)},
    "performance": {"ttl": env_int(env, "CACHE_TTL_PERFORMANCE", 5 * 60, minimum=1)},
    "dashboard": {"ttl": env_int(env, "CACHE_TTL_DASHBOARD", 10 * 60, minimum=1)},
}

# --- Performance: database ------------------------------------------------
# performance.db: the execute wrapper (off = no wrapper at all), slow queries
# and N+1 patterns aggregated per process and flushed in batches.
PERFORMANCE_DB_INSTRUMENTATION = env_bool(env, "PERFORMANCE_DB_INSTRUMENTATION", default=True)
PERFORMANCE_SLOW_QUERY_MS = env_int(env, "PERFORMANCE_SLOW_QUERY_MS", 500, minimum=1)
PERFORMANCE_N_PLUS_ONE_THRESHOLD = env_int(env, "PERFORMANCE_N_PLUS_ONE_THRESHOLD", 10, minimum=1)
PERFORMANCE_EXPLAIN_SLOW_QUERIES = env_bool(env, "PERFORMANCE_EXPLAIN_SLOW_QUERIES", default=False)
PERFORMANCE_DB_FLUSH_INTERVAL = env_int(env, "PERFORMANCE_DB_FLUSH_INTERVAL", 30, minimum=1)
PERFORMANCE_PGSS_TOP = env_int(env, "PERFORMANCE_PGSS_TOP", 50, minimum=1)
PERFORMANCE_PGSS_RETENTION_DAYS = env_int(env, "PERFORMANCE_PGSS_RETENTION_DAYS", 14, minimum=1)
# performance.querycache: "auto" caches only on a cache every process shares (Redis).
_query_cache = env.str("PERFORMANCE_QUERY_CACHE", default="auto").strip().lower()
if _query_cache not in {"auto", "true", "false"}:
    raise ConfigError("PERFORMANCE_QUERY_CACHE", f"expected auto, true or false, not {_query_cache!r}")
PERFORMANCE_QUERY_CACHE = {"true": True, "false": False}.get(_query_cache, "auto")

# --- Performance: monitoring ----------------------------------------------
# performance.profiling: spans of requests, tasks and @profiled functions,
# the always-on stack sampler, flushed by a thread per process (started by
# wsgi.py / asgi.py and in each Celery worker process; not under pytest).
PERFORMANCE_PROFILING = env_bool(env, "PERFORMANCE_PROFILING", default=True)
PERFORMANCE_BACKGROUND_THREADS = not TESTING
PERFORMANCE_FLUSH_INTERVAL = env_int(env, "PERFORMANCE_FLUSH_INTERVAL", 10, minimum=1)
PERFORMANCE_PROFILER_HZ = env_int(env, "PERFORMANCE_PROFILER_HZ", 97, minimum=1)
PERFORMANCE_DEEP_PROFILE = env_bool(env, "PERFORMANCE_DEEP_PROFILE", default=True)
# performance.monitor: `manage.py monitor`, one per host.
PERFORMANCE_MONITOR_INTERVAL = env_int(env, "PERFORMANCE_MONITOR_INTERVAL", 5, minimum=1)
PERFORMANCE_MONITOR_DISKS = env_list(env, "PERFORMANCE_MONITOR_DISKS", ["/"])
PERFORMANCE_MONITOR_PROCESS_ROLES = [
    ("web", ["gunicorn", "dataguardian.wsgi"]),
    ("web", ["manage.py", "runserver"]),
    ("worker", ["celery", "dataguardian.celery", "worker"]),
    ("beat", ["celery", "dataguardian.celery", "beat"]),
    ("monitor", ["manage.py", "monitor"]),
]
PERFORMANCE_RETENTION_RAW_HOURS = env_int(env, "PERFORMANCE_RETENTION_RAW_HOURS", 24, minimum=1)
PERFORMANCE_RETENTION_MINUTE_DAYS = env_int(env, "PERFORMANCE_RETENTION_MINUTE_DAYS", 14, minimum=1)
PERFORMANCE_RETENTION_HOUR_DAYS = env_int(env, "PERFORMANCE_RETENTION_HOUR_DAYS", 400, minimum=1)
# /metrics (prometheus_client, multiprocess): readable with the bearer token or
# from the listed addresses; in production nobody may read it until one is set.
PERFORMANCE_METRICS = env_bool(env, "PERFORMANCE_METRICS", default=True)
PERFORMANCE_METRICS_DIR = "" if TESTING else env.str(
    "PROMETHEUS_MULTIPROC_DIR", default=str(VAR_DIR / "prometheus"))
PERFORMANCE_METRICS_TOKEN = env.str("PERFORMANCE_METRICS_TOKEN", default="")
PERFORMANCE_METRICS_ALLOWED_IPS = env_networks(
    env, "PERFORMANCE_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"] if DEBUG else [])

# --- Sessions -------------------------------------------------------------
# sessions_ext: sessions owned by a user with client and activity times, read
# through the cache (SESSION_CACHE_ALIAS) and written to the database.
SESSION_ENGINE = "sessions_ext.backends.cached_db"
SESSION_COOKIE_AGE = env_int(env, "SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSIONS_EXT_ACTIVITY_WRITE_INTERVAL = env_int(env, "SESSIONS_ACTIVITY_WRITE_INTERVAL", 60)
SESSIONS_EXT_TRUNCATE_IP = env_bool(env, "SESSIONS_TRUNCATE_IP", default=False)
SESSIONS_EXT_CLIENT_IP_HEADER = env.str("SESSIONS_CLIENT_IP_HEADER", default="")
SESSIONS_EXT_MAX_SESSIONS_PER_USER = env_int(env, "SESSIONS_MAX_PER_USER", 0)
SESSIONS_EXT_ACTIVITY_RETENTION_DAYS = env_int(env, "SESSIONS_ACTIVITY_RETENTION_DAYS", 365, minimum=1)
SESSIONS_EXT_ACTIONS = "dataguardian.activity.Action"
SESSIONS_EXT_ORGANIZATION_RESOLVER = "dataguardian.orgs.selectors.organization_for_user"
SESSIONS_EXT_ORGANIZATION_ADMIN_CHECK = "dataguardian.orgs.selectors.is_organization_admin"
SESSIONS_EXT_ANALYTICS_CACHE = ("performance.cache.namespace", "performance")
# Other old rows trimmed by the sessions_ext cleanup beat task:
# (model label, date field, max age in days); apps append their own.
SESSIONS_EXT_CLEANUP_MODELS: list[tuple[str, str, int]] = []

# --- Celery ---------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
    }
CELERY_RESULT_BACKEND = REDIS_URL or "django-db"
CELERY_RESULT_EXTENDED = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int(env, "CELERY_TASK_SOFT_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int(env, "CELERY_TASK_TIME_LIMIT", 660, minimum=1)
CELERY_TASK_ALWAYS_EAGER = env_bool(env, "CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Auth, i18n, static, media --------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"

DG_MAX_UPLOAD_MB = env_int(env, "DG_MAX_UPLOAD_MB", 200, minimum=1)
# Files in one upload: counted while the request is read (scans.uploads), so
# one more gets a form error naming the limit instead of Django's bare 400.
DG_MAX_UPLOAD_FILES = env_int(env, "DG_MAX_UPLOAD_FILES", 100, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FILES = DG_MAX_UPLOAD_FILES + 1
FILE_UPLOAD_HANDLERS = ["dataguardian.scans.uploads.FileCountLimitHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DG_KEEP_UPLOADS = env_bool(env, "DG_KEEP_UPLOADS", default=False)
DG_SCAN_FOLDERS = env_list(env, "DG_SCAN_FOLDERS", [])
# Database servers (host or host:port, 5432 by default) that users may scan
# (scans.dbtargets); empty turns PostgreSQL scans off.
DG_SCAN_DATABASE_HOSTS = env_list(env, "DG_SCAN_DATABASE_HOSTS", [])
for _entry in DG_SCAN_DATABASE_HOSTS:
    if not re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]@,%]+)(:[0-9]{1,5})?", _entry):
        raise ConfigError("DG_SCAN_DATABASE_HOSTS", f"expected host or host:port entries, not {_entry!r}")
# Regions whose national phone formats scans read (the engine's phone_regions).
DG_PHONE_REGIONS = env_phone_regions(env, "DG_PHONE_REGIONS", ("NL",))
# Sign-in throttle (dataguardian.signin, on django-axes): failures per username and
# address (an address alone: ten times as many), and for how long.
DG_SIGNIN_MAX_FAILURES = env_int(env, "DG_SIGNIN_MAX_FAILURES", 5, minimum=1)
DG_SIGNIN_LOCKOUT_SECONDS = env_int(env, "DG_SIGNIN_LOCKOUT_SECONDS", 900, minimum=1)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out client before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "dataguardian.signin.SigninThrottle"
AXES_FAILURE_LIMIT = "dataguardian.signin.failure_limit"
AXES_COOLOFF_TIME = timedelta(seconds=DG_SIGNIN_LOCKOUT_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_USERNAME_CALLABLE = "dataguardian.signin.username_of"
AXES_CLIENT_IP_CALLABLE = "dataguardian.signin.client_address"
AXES_CLIENT_STR_CALLABLE = "dataguardian.signin.client_str"
AXES_LOCKOUT_CALLABLE = "dataguardian.signin.lockout_response"
AXES_RESET_ON_SUCCESS = False  # SigninThrottle clears the pair itself, not the address
AXES_VERBOSE = False
# Scan pipeline (dataguardian/scans): upload checks, chunking, retries, stale scans.
DG_MAX_UNCOMPRESSED_MB = env_int(env, "DG_MAX_UNCOMPRESSED_MB", 10_240, minimum=1)
DG_MAX_COMPRESSION_RATIO = env_int(env, "DG_MAX_COMPRESSION_RATIO", 200, minimum=2)
DG_MAX_ARCHIVE_MEMBERS = env_int(env, "DG_MAX_ARCHIVE_MEMBERS", 10_000, minimum=1)
DG_CHUNK_MB = env_int(env, "DG_CHUNK_MB", 8, minimum=1)
DG_CHUNK_FILES = env_int(env, "DG_CHUNK_FILES", 500, minimum=1)
DG_CHUNK_MAX_RETRIES = env_int(env, "DG_CHUNK_MAX_RETRIES", 3)
DG_STALE_SCAN_MINUTES = env_int(env, "DG_STALE_SCAN_MINUTES", 15, minimum=1)
DG_STALE_SCAN_MAX_REQUEUES = env_int(env, "DG_STALE_SCAN_MAX_REQUEUES", 2)
DG_UNSTARTED_SCAN_SECONDS = env_int(env, "DG_UNSTARTED_SCAN_SECONDS", 60, minimum=1)

if DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
    vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="DataGuardian Pro <noreply@localhost>")

# --- Security -------------------------------------------------------------
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool(env, "SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env_int(env, "SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
# Content-Security-Policy (django-csp): scripts, styles and everything else from this
# site only; no inline script or style (templates use static files and SVG attributes),
# no plugins, no framing, forms posting only here.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF], "script-src": [SELF], "style-src": [SELF], "img-src": [SELF, "data:"],
    "font-src": [SELF], "connect-src": [SELF], "form-action": [SELF],
    "object-src": [NONE], "base-uri": [NONE], "frame-ancestors": [NONE],
}}
if env_bool(env, "USE_X_FORWARDED_PROTO", default=False):
    # Behind a proxy that terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Development tools ----------------------------------------------------
# Error reports (and the toolbar) blank values named like secrets or URLs.
DEFAULT_EXCEPTION_REPORTER_FILTER = "dataguardian.devtools.ReporterFilter"
# The debug toolbar is off unless asked for (DEBUG_TOOLBAR=true, with DEBUG on); then it
# shows to signed-in superusers only and never records the scan form's POSTs.
DEBUG_TOOLBAR = DEBUG and env_bool(env, "DEBUG_TOOLBAR", default=False)
if DEBUG_TOOLBAR and not TESTING:
    try:
        import debug_toolbar  # noqa: F401
    except ImportError:
        pass
    else:
        INSTALLED_APPS.append("debug_toolbar")
        # After authentication: its callback asks who the user is.
        MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                          "debug_toolbar.middleware.DebugToolbarMiddleware")
        DEBUG_TOOLBAR_CONFIG = {"SHOW_TOOLBAR_CALLBACK": "dataguardian.devtools.show_toolbar"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
