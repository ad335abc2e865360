"""A signed-in browser for the soak: one keep-alive connection, cookies, forms, timings.

Plain ``http.client`` in a thread per user: a user spends most of its time
thinking, so 150 threads cost little, and every request's start and end are
taken on ``time.monotonic()``, the clock the fault schedule uses too.
"""

from __future__ import annotations

import http.client
import re
import socket
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")
# What a reused keep-alive connection that the server had closed looks like.
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class _Stale(Exception):
    """A reused connection turned out closed before any answer: send again."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    started: float
    ended: float

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Record:
    """One request as the report sees it; ``outcome`` is "ok" or the kind of error."""

    page: str
    started: float
    ended: float
    outcome: str
    user: str = ""


class Journal(Generic[T]):
    """A list that many threads append to: requests recorded, scans started."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._lock = threading.Lock()

    def add(self, item: T) -> None:
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[T]:
        with self._lock:
            return list(self._items)


Recorder = Journal[Record]


class Browser:
    """One user's connection to the server (127.0.0.1 only) with its cookies."""

    def __init__(self, base_url: str, cookies: dict[str, str] | None = None, timeout: float = 30.0):
        parts = urllib.parse.urlsplit(base_url)
        if parts.hostname not in {"127.0.0.1", "localhost"}:
            raise ValueError("the soak only talks to 127.0.0.1")
        self.host, self.port = parts.hostname, parts.port
        self.cookies = dict(cookies or {})
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.stale_retries = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
                ) -> Response:
        """Send one request; raise OSError / HTTPException / TimeoutError when the exchange fails."""
        all_headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "dg-soak/1.0", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        try:
            response, data = self._exchange(method, path, body, all_headers)
        except _Stale:
            # The server closed an idle keep-alive connection just as we reused it
            # (gunicorn closes them after 2 s); browsers send again on a new one.
            self.stale_retries += 1
            response, data = self._exchange(method, path, body, all_headers)
        ended = time.monotonic()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        headers_out = {k.lower(): v for k, v in response.getheaders()}
        return Response(response.status, headers_out, data, started, ended)

    def _exchange(self, method: str, path: str, body: bytes, headers: dict[str, str]):
        reused = self.conn is not None and self.conn.sock is not None
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request(method, path, body=body or None, headers=headers)
            response = self.conn.getresponse()
            return response, response.read()
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            self.close()
            if reused and isinstance(exc, STALE_CONNECTION):
                raise _Stale from exc
            raise

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str], files: list[Path] = (),
                  file_field: str = "files") -> Response:
        """POST ``fields`` (and ``files``) as multipart/form-data with the CSRF token and Referer."""
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                         f"{value}\r\n".encode())
        for path_ in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
                f'filename="{path_.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + path_.read_bytes() + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": f"http://{self.host}:{self.port}{path}",
        })


def outcome_of(response: Response, expect: tuple[int, ...] = (200,)) -> str:
    """"ok", or why the answer is not what a signed-in user expects."""
    if response.status in expect:
        return "ok"
    if response.status in (301, 302) and "/accounts/login" in response.location:
        return "signed_out"
    if response.status >= 500:
        return f"http_{response.status}"
    return f"status_{response.status}"


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError | http.client.RemoteDisconnected):
        return "reset"
    return f"conn_{type(exc).__name__}"
