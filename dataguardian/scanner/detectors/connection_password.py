"""CONNECTION_PASSWORD: a password inside a URL or a connection string.

* URL credentials: ``postgres://app:S3cret@db:5432/x``, ``https://user:pass@host/``;
* key=value connection strings (.NET, ODBC, JDBC): ``Server=db;Password=S3cret;``,
  where another ``Key=Value`` pair stands next to the password's, so that
  ``password = x;`` in code is not taken for one;
* URL query parameters: ``jdbc:mysql://db/x?user=app&password=S3cret``.

Only the password is the value; it is masked whole (not even its length
shows). Template placeholders (``${DB_PASSWORD}``, ``<password>``, ``%(pw)s``,
``***``) are no password and are skipped; words that stand in for one in
examples (``password``, ``changeme``) are reported with low confidence.
"""

from __future__ import annotations

import re

from dataguardian.scanner.detectors.base import Pattern
from dataguardian.scanner.detectors.secret import SecretDetector

KEY = "(?:password|passwd|pwd)"
# The key and what stands between it and the value, read backwards from the value.
KEY_BEFORE = re.compile(r"(?:password|passwd|pwd)[ \t]{0,3}=[ \t]{0,3}[\"']?\Z", re.IGNORECASE)
# Another ``Key=Value`` pair of the string (``Server=db``, ``User ID=app``), before or after.
PAIR_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9 _]{0,30}=[^;\"'\r\n]{0,200};[ \t]{0,3}\Z")
PAIR_AFTER = re.compile(r"[ \t]*[\"']?;[ \t]{0,3}[A-Za-z][A-Za-z0-9 _]{0,30}=")
TEMPLATE = re.compile(
    r"\$\{.*\}|\$\(.*\)|\$[A-Za-z_][A-Za-z0-9_]*|%\(.*\)[a-z]|%s|\{.*\}|<.*>|\[.*\]|(.)\1*"
    r"|[A-Za-z_][A-Za-z0-9_.]*\(.*\)"
)
STAND_INS = frozenset(
    {"password", "passwd", "changeme", "change_me", "secret", "example", "placeholder", "dummy",
     "yourpassword", "your_password", "mypassword", "my_password", "wachtwoord"}
)
STAND_IN_PENALTY = 0.6


class ConnectionPasswordDetector(SecretDetector):
    ENTITY = "CONNECTION_PASSWORD"
    TRAIL = ""
    PATTERNS = (
        # scheme://user:password@host
        Pattern(r"://[^\s:/?#@\"'<>]{0,64}:(?P<v>[^\s/?#@\"'<>]{1,128})@[A-Za-z0-9\[_-]", 0.9),
        # Password=secret, kept by ``stands_alone`` only inside a connection string
        Pattern(KEY + "[ \t]{0,3}=[ \t]{0,3}[\"']?(?P<v>[^;\"'\r\n]{1,128})", 0.85, caseless=True),
        # ?password=secret&...
        Pattern("[?&]" + KEY + "=(?P<v>[^&\\s#\"'<>]{1,128})", 0.8, caseless=True),
    )
    CONTEXT = ("password", "wachtwoord", "connection", "dsn", "database", "url")

    def stands_alone(self, text: str, start: int, end: int) -> bool:
        before = text[max(0, start - 24) : start]
        key = KEY_BEFORE.search(before)
        if key is None:
            return True  # user:password@ in a URL: the pattern said enough
        key_start = start - len(before) + key.start()
        glued = text[key_start - 1 : key_start] if key_start else ""
        if glued in ("?", "&"):
            return "&" not in text[start:end]  # a query parameter ends at the next one
        if glued.isalnum() or glued == "_":
            return False  # db_password=..., not a connection string's key
        return bool(PAIR_BEFORE.search(text, max(0, key_start - 240), key_start)
                    or PAIR_AFTER.match(text, end))

    def bounds(self, text: str, start: int, end: int) -> tuple[int, int]:
        while end > start and text[end - 1] in " \t":
            end -= 1
        return start, end

    def validate(self, value: str) -> bool:
        return bool(value.strip()) and not TEMPLATE.fullmatch(value)

    def confidence_delta(self, value: str) -> float:
        return -STAND_IN_PENALTY if value.lower() in STAND_INS else 0.0

    def normalise(self, value: str) -> str:
        return value

    def mask(self, value: str) -> str:
        return "********"
