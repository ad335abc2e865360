"""Reading the environment into settings, with one clear error per bad variable.

The settings module stays declarative; everything that can go wrong while
reading the environment (a malformed URL, a missing production secret) is
checked here and raised as ``ConfigError`` naming the variable, which
``manage.py``, WSGI/ASGI and the Celery app turn into a single line on stderr.
"""

from __future__ import annotations

import secrets
import sys
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

SUPPORTED_DB_ENGINES = {
    "django.db.backends.postgresql": "postgres",
    "django.db.backends.sqlite3": "sqlite",
}
REDIS_SCHEMES = {"redis", "rediss", "unix"}


class ConfigError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""

    def __init__(self, variable: str, problem: str):
        self.variable = variable
        super().__init__(f"{variable}: {problem}")


def database_from_url(url: str, variable: str = "DATABASE_URL") -> dict:
    """Parse a database URL with django-environ and check it is one we run on."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            config = environ.Env.db_url_config(url)
    except (ValueError, KeyError) as exc:
        raise ConfigError(variable, f"malformed URL ({exc})") from None
    engine = config.get("ENGINE", "")
    if engine not in SUPPORTED_DB_ENGINES:
        raise ConfigError(
            variable,
            "expected postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:///PATH",
        )
    if not config.get("NAME"):
        raise ConfigError(variable, "the URL names no database")
    return config


def check_redis_url(url: str, variable: str = "REDIS_URL") -> str:
    """Return ``url`` if it is a Redis URL redis-py can use, else raise."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a non-numeric port
    except ValueError as exc:
        raise ConfigError(variable, f"malformed URL ({exc})") from None
    if parts.scheme not in REDIS_SCHEMES:
        raise ConfigError(variable, "expected redis://HOST:PORT/DB (or rediss://, unix://)")
    if parts.scheme != "unix" and not parts.hostname:
        raise ConfigError(variable, "the URL names no host")
    db = parts.path.lstrip("/")
    if db and not db.isdigit():
        raise ConfigError(variable, f"the database must be a number, not {db!r}")
    return url


def persistent_secret(path: Path, nbytes: int = 50) -> str:
    """A random secret generated on first use and kept in ``path`` (under var/)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    # Exclusive create: two processes starting at once keep the first value.
    try:
        with path.open("x") as fh:
            fh.write(value)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text().strip()
    return value


def require(env: environ.Env, variable: str, why: str) -> str:
    value = env.str(variable, default="")
    if not value:
        raise ConfigError(variable, f"must be set when {why}")
    return value


def exit_on_config_error(exc: ImproperlyConfigured) -> None:
    """Print one line naming the variable and stop, instead of a traceback."""
    print(f"configuration error: {exc}", file=sys.stderr)
    raise SystemExit(2)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(env: environ.Env, variable: str, default: bool) -> bool:
    raw = env.str(variable, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(variable, f"expected true or false, not {raw!r}")


def env_int(env: environ.Env, variable: str, default: int, minimum: int = 0) -> int:
    raw = env.str(variable, default=str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(variable, f"expected a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(variable, f"must be at least {minimum}, not {value}")
    return value


def env_list(env: environ.Env, variable: str, default: list[str]) -> list[str]:
    raw = env.str(variable, default=",".join(default))
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_phone_regions(env: environ.Env, variable: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Phone regions (ISO 3166 codes, comma separated) checked against phonenumbers.

    The scanner is imported only when the variable is set, so that loading
    the settings does not load the engine.
    """
    raw = env.str(variable, default="").strip()
    if not raw:
        return default
    from dataguardian.scanner.detectors.phone import parse_regions

    try:
        return parse_regions(raw)
    except ValueError as exc:
        raise ConfigError(variable, str(exc)) from None


def env_networks(env: environ.Env, variable: str, default: list[str]) -> list[str]:
    """Comma-separated IP addresses or networks (``10.0.0.0/8``), each checked."""
    import ipaddress

    items = env_list(env, variable, default)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(variable, f"{item!r} is not an IP address or network") from None
    return items
