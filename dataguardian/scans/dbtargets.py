"""Which databases a scan may reach: URLs parsed, checked and rebuilt.

A database URL comes from a user, and the worker that connects sits inside
the operator's network. So a PostgreSQL URL is taken apart and rebuilt from
an allow-list of parameters: anything that redirects the connection (host,
hostaddr, port, service, options...) or names a file on the server (passfile,
sslkey, sslrootcert...) is refused. The host is resolved and every address it
gives must be one of ``DG_SCAN_DATABASE_HOSTS`` (host[:port], resolved the same
way, so an alias cannot slip past); the platform's own databases are refused
whatever the list says. The worker checks again and connects to the address
it checked (``hostaddr``), so a name that resolves elsewhere later is no way
around it. Messages never repeat the URL.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from django.conf import settings

from dataguardian.scans.sources import ScanSourceError, allowed_roots, inside

DEFAULT_PORT = 5432
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
# The only parameters a user may set, and the values each may take (None: a number).
ALLOWED_PARAMETERS: dict[str, frozenset[str] | None] = {
    "sslmode": frozenset({"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}),
    "connect_timeout": None,
}
REDIRECTING = frozenset({"host", "hostaddr", "port", "service", "options", "dbname", "user", "password",
                         "target_session_attrs", "load_balance_hosts", "replication"})
SERVER_FILES = frozenset({"passfile", "sslkey", "sslcert", "sslrootcert", "sslcrl", "sslcrldir",
                          "sslpassword", "servicefile", "krbsrvname", "gsslib"})
MAX_CONNECT_TIMEOUT = 30


@dataclass(frozen=True)
class PostgresTarget:
    user: str
    password: str
    host: str
    port: int
    dbname: str
    parameters: tuple[tuple[str, str], ...] = ()

    @property
    def description(self) -> str:
        """What may be shown: no credentials."""
        credentials = "***@" if self.user or self.password else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgres://{credentials}{host}:{self.port}/{self.dbname}"

    def url(self, hostaddr: str | None = None) -> str:
        """The URL rebuilt from the checked parts (what a scan stores).

        With ``hostaddr`` (the worker's connection), the address is pinned,
        ``passfile`` points at nothing, so the worker's own ~/.pgpass never
        lends a password, and GSS encryption is off (no Kerberos ticket of the
        worker's is offered).
        """
        credentials = ""
        if self.user or self.password:
            credentials = quote(self.user, safe="")
            if self.password:
                credentials += ":" + quote(self.password, safe="")
            credentials += "@"
        host = f"[{self.host}]" if ":" in self.host else quote(self.host, safe="")
        parameters = list(self.parameters)
        if hostaddr:
            parameters += [("hostaddr", hostaddr), ("passfile", os.devnull), ("gssencmode", "disable")]
        query = "&".join(f"{key}={quote(value, safe='')}" for key, value in parameters)
        url = f"postgresql://{credentials}{host}:{self.port}/{quote(self.dbname, safe='')}"
        return f"{url}?{query}" if query else url


def parse_postgres_url(url: str) -> PostgresTarget:
    """The parts of a PostgreSQL URL, or ScanSourceError saying what is refused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise ScanSourceError("That database URL is malformed.") from None
    if parts.scheme.lower() not in POSTGRES_SCHEMES:
        raise ScanSourceError("That is not a PostgreSQL URL.")
    host = parts.hostname or ""
    if not host or any(c in host for c in ",/%") or host.startswith("@"):
        raise ScanSourceError("A PostgreSQL URL needs one host name or address (no socket paths, "
                              "no lists of hosts).")
    dbname = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
    if not dbname:
        raise ScanSourceError("A PostgreSQL URL needs a database name.")
    return PostgresTarget(user=unquote(parts.username or ""), password=unquote(parts.password or ""),
                          host=host, port=port, dbname=dbname,
                          parameters=_checked_parameters(parts.query))


def _checked_parameters(query: str) -> tuple[tuple[str, str], ...]:
    pairs = parse_qsl(query, keep_blank_values=True)
    keys = [key.lower() for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ScanSourceError("A parameter is given twice in that database URL.")
    checked = []
    for key, value in zip(keys, (value for _, value in pairs), strict=True):
        if key in REDIRECTING:
            raise ScanSourceError(f"The database URL may not set “{key}”: the host, port and "
                                  "database are the ones written before the “?”.")
        if key in SERVER_FILES:
            raise ScanSourceError(f"The database URL may not set “{key}”: it names files or "
                                  "secrets on the scanning server.")
        if key not in ALLOWED_PARAMETERS:
            raise ScanSourceError(f"The database URL may not set “{key}”; only "
                                  f"{' and '.join(sorted(ALLOWED_PARAMETERS))} are accepted.")
        choices = ALLOWED_PARAMETERS[key]
        if choices is None:
            if not value.isdigit():
                raise ScanSourceError(f"“{key}” must be a number of seconds.")
            value = str(min(int(value), MAX_CONNECT_TIMEOUT))
        elif value not in choices:
            raise ScanSourceError(f"“{key}” must be one of {', '.join(sorted(choices))}.")
        checked.append((key, value))
    return tuple(checked)


# --- Addresses ----------------------------------------------------------------


def resolve(host: str, port: int) -> set[str]:
    """Every address ``host`` resolves to (empty if it does not)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return set()
    return {_normal(info[4][0]) for info in infos}


def _normal(address: str) -> str:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def _is_local(address: str) -> bool:
    """Loopback or unspecified: connecting there reaches this machine, whichever of them."""
    ip = ipaddress.ip_address(address)
    return ip.is_loopback or ip.is_unspecified


def _split_entry(entry: str) -> tuple[str, int]:
    entry = entry.strip()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else DEFAULT_PORT
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return host, int(port)
    return entry, DEFAULT_PORT


def allowed_addresses() -> set[tuple[str, int]]:
    """(address, port) pairs of ``DG_SCAN_DATABASE_HOSTS``, resolved."""
    allowed = set()
    for entry in settings.DG_SCAN_DATABASE_HOSTS:
        host, port = _split_entry(entry)
        allowed |= {(address, port) for address in resolve(host, port)}
    return allowed


def own_servers() -> set[tuple[str, int]]:
    """(address, port) of the PostgreSQL servers in ``settings.DATABASES``; a socket or a
    loopback host counts as every local address."""
    own = set()
    for database in settings.DATABASES.values():
        if "postgresql" not in database.get("ENGINE", ""):
            continue
        port = int(database.get("PORT") or DEFAULT_PORT)
        host = database.get("HOST") or ""
        addresses = resolve(host, port) if host and not host.startswith("/") else {"127.0.0.1"}
        own |= {(address, port) for address in addresses}
    return own


def _is_own(address: str, port: int, own: set[tuple[str, int]]) -> bool:
    if (address, port) in own:
        return True
    return _is_local(address) and any(_is_local(a) and p == port for a, p in own)


def checked_addresses(target: PostgresTarget) -> list[str]:
    """The addresses of ``target`` if every one is allowed; else ScanSourceError."""
    if not settings.DG_SCAN_DATABASE_HOSTS:
        raise ScanSourceError("No database servers are enabled for scanning on this installation.")
    addresses = resolve(target.host, target.port)
    if not addresses:
        raise ScanSourceError("The database host name could not be resolved.")
    own = own_servers()
    if any(_is_own(address, target.port, own) for address in addresses):
        raise ScanSourceError("This installation's own database cannot be scanned.")
    allowed = allowed_addresses()
    if not all((address, target.port) in allowed for address in addresses):
        raise ScanSourceError("This database server is not one an administrator allowed for scanning.")
    return sorted(addresses)


# --- What a scan may store -------------------------------------------------------


def check_database_url(url: str) -> tuple[str, str, str]:
    """Validate a database URL; return (engine, description without credentials, URL to store).

    PostgreSQL on an allowed server, or an SQLite file inside an allowed
    folder (its resolved path is what gets stored). Messages never repeat
    the URL.
    """
    url = (url or "").strip()
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in POSTGRES_SCHEMES:
        target = parse_postgres_url(url)
        checked_addresses(target)
        return "postgres", target.description, target.url()
    if scheme != "sqlite":
        raise ScanSourceError(
            "Only PostgreSQL (postgres://USER:PASSWORD@HOST:PORT/NAME) and SQLite "
            "(sqlite:////PATH) databases can be scanned."
        )
    path = unquote(urlsplit(url).path)[1:]  # sqlite:////abs/file: the path after the third slash
    real = os.path.realpath(path) if os.path.isabs(path) else ""
    if not real or not inside(real, allowed_roots()):
        raise ScanSourceError("SQLite files can only be scanned inside a folder an administrator allowed.")
    if is_own_sqlite(real):
        raise ScanSourceError("This installation's own database cannot be scanned.")
    if not os.path.isfile(real):
        raise ScanSourceError("That SQLite file does not exist on the server.")
    return "sqlite", f"sqlite:///{real}", f"sqlite:///{real}"


# --- SQLite -------------------------------------------------------------------


def is_own_sqlite(path: str) -> bool:
    """Whether ``path`` (resolved) is one of the platform's SQLite files or their journals."""
    real = os.path.realpath(path)
    for database in settings.DATABASES.values():
        if "sqlite" not in database.get("ENGINE", "") or not database.get("NAME"):
            continue
        own = os.path.realpath(str(database["NAME"]))
        if real in {own, own + "-wal", own + "-shm", own + "-journal"}:
            return True
    return False


# --- For the worker -------------------------------------------------------------


def connection_url(stored: str) -> str:
    """The URL the worker connects with: checked again, PostgreSQL pinned to a checked address."""
    scheme = stored.split("://", 1)[0].lower()
    if scheme == "sqlite":
        if is_own_sqlite(unquote(urlsplit(stored).path)):
            raise ScanSourceError("This installation's own database cannot be scanned.")
        return stored
    target = parse_postgres_url(stored)
    return target.url(hostaddr=checked_addresses(target)[0])
