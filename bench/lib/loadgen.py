"""An HTTP/1.1 keep-alive load generator on asyncio streams, for benches.

    from bench.lib.loadgen import run_load, login

    cookies = login(server.url, "alice", "secret")            # optional
    result = run_load(server.url + "/healthz", concurrency=100, duration=10,
                      cookies=cookies, warmup=1.0)
    print(result.summary())            # or result.rps, result.p50_ms, result.status_5xx ...

N clients each keep one connection open and send their next request as soon
as the previous answer is read (closed-loop load). A server that answers
``Connection: close`` (gunicorn's sync worker does) gets a new connection
for the next request; ``connects`` says how many were opened. Stop after
``duration`` seconds or after ``requests`` requests in all, whichever comes
first. Only 127.0.0.1 / localhost targets are accepted: benches never load
anything else.
"""

from __future__ import annotations

import asyncio
import http.client
import http.cookiejar
import statistics
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

Cookies = dict[str, str]
CookieSource = Cookies | Sequence[Cookies] | Callable[[int], Cookies] | None
PathSource = str | Sequence[str] | Callable[[int, int], str] | None


@dataclass
class LoadResult:
    """What one run measured. Latencies are in milliseconds, sorted."""

    requests: int = 0
    errors: int = 0
    status_5xx: int = 0
    statuses: Counter = field(default_factory=Counter)
    elapsed_s: float = 0.0
    connects: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    check_failures: int = 0  # responses the ``check`` callable rejected

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, pct: float) -> float:
        """The ``pct`` percentile latency (nearest rank), 0.0 with no samples."""
        if not self.latencies_ms:
            return 0.0
        rank = max(0, min(len(self.latencies_ms) - 1, round(pct / 100 * len(self.latencies_ms)) - 1))
        return self.latencies_ms[rank]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0

    @property
    def p95_ms(self) -> float:
        return self.percentile(95)

    @property
    def p99_ms(self) -> float:
        return self.percentile(99)

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)

    def as_dict(self) -> dict:
        return {
            "requests": self.requests, "errors": self.errors, "status_5xx": self.status_5xx,
            "non_2xx": self.non_2xx, "elapsed_s": round(self.elapsed_s, 3), "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2), "p95_ms": round(self.p95_ms, 2),
            "p99_ms": round(self.p99_ms, 2), "connects": self.connects,
            "statuses": dict(self.statuses),
        }

    def summary(self) -> str:
        return (
            f"{self.requests} requests in {self.elapsed_s:.1f}s = {self.rps:.1f} req/s, "
            f"p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
            f"errors {self.errors}, 5xx {self.status_5xx}, non-2xx {self.non_2xx}, "
            f"connections {self.connects}"
        )


class _Target:
    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "http":
            raise ValueError(f"only http:// targets are supported, not {url!r}")
        if parts.hostname not in LOCAL_HOSTS:
            raise ValueError(f"benches only load 127.0.0.1/localhost, not {parts.hostname!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.host_header = parts.netloc


def _cookie_for(source: CookieSource, client: int) -> Cookies:
    if source is None:
        return {}
    if callable(source):
        return source(client)
    if isinstance(source, dict):
        return source
    return source[client % len(source)]


def _path_for(source: PathSource, default: str, client: int, seq: int) -> str:
    if source is None:
        return default
    if callable(source):
        return source(client, seq)
    if isinstance(source, str):
        return source
    return source[(client + seq) % len(source)]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """Read one response; return (status, connection must be closed, body)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip().lower()
    close = headers.get("connection") == "close" or version == "HTTP/1.0"
    body = b""
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunks.append((await reader.readexactly(size + 2))[:size])
            if size == 0:
                break
        body = b"".join(chunks)
    elif status not in {"204", "304"}:
        body = await reader.read()  # body runs to the end of the connection
        close = True
    return int(status), close, body


async def run_load_async(
    url: str,
    *,
    concurrency: int = 10,
    duration: float | None = None,
    requests: int | None = None,
    warmup: float = 0.0,
    paths: PathSource = None,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    cookies: CookieSource = None,
    timeout: float = 30.0,
    check: Callable[[int, str, int, bytes], bool] | None = None,
) -> LoadResult:
    """Async form of :func:`run_load` (same arguments)."""
    if duration is None and requests is None:
        raise ValueError("give a duration, a number of requests, or both")
    target = _Target(url)
    result = LoadResult()
    remaining = [requests if requests is not None else float("inf")]
    loop = asyncio.get_running_loop()
    start = loop.time()
    measure_from = start + warmup
    stop_at = measure_from + duration if duration is not None else float("inf")
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())

    async def client(index: int) -> None:
        cookie = "; ".join(f"{k}={v}" for k, v in _cookie_for(cookies, index).items())
        cookie_line = f"Cookie: {cookie}\r\n" if cookie else ""
        reader = writer = None
        seq = 0
        while loop.time() < stop_at and remaining[0] > 0:
            now = loop.time()
            measuring = now >= measure_from
            if measuring:
                remaining[0] -= 1
            path = _path_for(paths, target.path, index, seq)
            seq += 1
            request = (
                f"{method} {path} HTTP/1.1\r\nHost: {target.host_header}\r\n{cookie_line}{extra}"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode("latin-1") + body
            try:
                async with asyncio.timeout(timeout):
                    if writer is None:
                        reader, writer = await asyncio.open_connection(target.host, target.port)
                        result.connects += measuring
                    sent = loop.time()
                    writer.write(request)
                    status, close, content = await _read_response(reader)
                elapsed = loop.time() - sent
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                    ValueError) as exc:
                if measuring:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(f"{type(exc).__name__}: {exc}")
                if writer is not None:
                    writer.close()
                reader = writer = None
                await asyncio.sleep(0.01)  # do not spin against a server that is down
                continue
            if measuring:
                result.requests += 1
                result.statuses[status] += 1
                if status >= 500:
                    result.status_5xx += 1
                result.latencies_ms.append(elapsed * 1000)
                if check is not None and not check(index, path, status, content):
                    result.check_failures += 1
            if close:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(client(i) for i in range(concurrency)))
    result.elapsed_s = loop.time() - measure_from
    result.latencies_ms.sort()
    return result


def run_load(url: str, **kwargs) -> LoadResult:
    """Drive ``url`` with ``concurrency`` keep-alive clients; see the module docstring.

    Keyword arguments: concurrency, duration (s), requests (total), warmup (s,
    not measured), paths (a path, a list cycled through, or
    ``f(client, seq) -> path``), method, headers, body, cookies (one dict for
    all clients, a list cycled per client, or ``f(client) -> dict``), timeout,
    check (``f(client, path, status, body) -> bool``: a False answer counts in
    ``check_failures``).
    """
    return asyncio.run(run_load_async(url, **kwargs))


def login(base_url: str, username: str, password: str, login_path: str = "/accounts/login/") -> Cookies:
    """Log in through Django's login form; return the cookies (session, CSRF)."""
    _Target(base_url)  # same local-only rule
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = base_url.rstrip("/") + login_path
    with opener.open(login_url, timeout=30) as response:
        response.read()
    csrf = next((c.value for c in jar if c.name == "csrftoken"), "")
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
    ).encode()
    request = urllib.request.Request(login_url, data=form, headers={"Referer": login_url})
    with opener.open(request, timeout=30) as response:
        response.read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies and not any("session" in name for name in cookies):
        raise RuntimeError(f"login as {username!r} at {login_url} gave no session cookie")
    return cookies


def _set_cookies(response: http.client.HTTPResponse) -> Cookies:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def sign_in(base_url: str, username: str, password: str, login_path: str = "/accounts/login/") -> Cookies:
    """Sign in through the form over plain HTTP; the cookies (session, CSRF).

    Unlike :func:`login` this keeps no cookie jar, so it works against
    production settings, whose cookies are Secure.
    """
    target = _Target(base_url)
    conn = http.client.HTTPConnection(target.host, target.port, timeout=60)
    conn.request("GET", login_path)
    first = conn.getresponse()
    first.read()
    jar = _set_cookies(first)
    form = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": jar.get("csrftoken", "")})
    conn.request("POST", login_path, body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Referer": base_url + login_path,
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
    })
    second = conn.getresponse()
    second.read()
    conn.close()
    jar.update(_set_cookies(second))
    if second.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"sign-in of {username} answered {second.status}")
    return jar
