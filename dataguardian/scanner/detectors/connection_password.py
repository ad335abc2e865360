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

from dataguardian.scanner.detectors.base import Pattern, lead
from dataguardian.scanner.detectors.secret import SecretDetector

KEY = "(?:password|passwd|pwd)"
VALUE = "(?P<v>[^;\"'\\r\\n]{1,128})"
# One other ``Key=Value`` pair of the string (``Server=db``, ``User ID=app``).
PAIR = "[A-Za-z][A-Za-z0-9 _]{0,30}=[^;\"'\\r\\n]{0,200}"
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
        Pattern(
            lead() + r"[A-Za-z][A-Za-z0-9+.-]{1,31}://[^\s:/?#@\"'<>]{0,64}:"
            r"(?P<v>[^\s/?#@\"'<>]{1,128})@[A-Za-z0-9\[_-]",
            0.9,
        ),
        # Server=db;Password=secret  and  Password=secret;Server=db
        Pattern(PAIR + ";[ \t]{0,3}" + KEY + "[ \t]{0,3}=[ \t]{0,3}[\"']?" + VALUE, 0.85, caseless=True),
        Pattern(lead() + KEY + "[ \t]{0,3}=[ \t]{0,3}[\"']?" + VALUE + "[\"']?;[ \t]{0,3}" + PAIR,
                0.85, caseless=True),
        # ?password=secret&...
        Pattern("[?&]" + KEY + "=(?P<v>[^&\\s#\"'<>]{1,128})", 0.8, caseless=True),
    )
    CONTEXT = ("password", "wachtwoord", "connection", "dsn", "database", "url")

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
