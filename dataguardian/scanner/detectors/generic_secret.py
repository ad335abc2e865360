"""GENERIC_SECRET: a random-looking value assigned to a name like ``password``.

A candidate is ``NAME = VALUE`` (or ``:``, ``=>``, ``:=``) where NAME holds
password/passwd/pwd/secret/token/api_key/wachtwoord; the value counts only if
it is long enough, has high Shannon entropy (>= 3.0 bits a character) and
does not look like code (a dotted name, a call, a ``${placeholder}``).
"""

from __future__ import annotations

import re

from dataguardian.scanner.detectors.base import Pattern
from dataguardian.scanner.detectors.secret import SecretDetector, shannon_entropy

NAME = (
    r"(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|auth[_-]?key|private[_-]?key|client[_-]?secret|wachtwoord)"
)
CODE_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+|.*[(){}$%<>\[\]].*")
PLACEHOLDERS = {"changeme", "password", "example", "xxxxxxxx", "none", "null", "true", "false", "undefined"}


class GenericSecretDetector(SecretDetector):
    ENTITY = "GENERIC_SECRET"
    PRIORITY = 20
    TRAIL = "("
    PATTERNS = (
        Pattern(
            NAME
            + r"[A-Za-z0-9_-]{0,20}[\"']?[ \t]{0,3}(?:=|:=|:|=>)[ \t]{0,3}[\"'`]?"
            + r"(?P<v>[^ \t\r\n\"'`,;]{8,201})",
            0.7,
            caseless=True,
        ),
    )
    CONTEXT = ("password", "secret", "token", "credential", "wachtwoord")

    def validate(self, value: str) -> bool:
        if value.lower() in PLACEHOLDERS or CODE_LIKE.fullmatch(value):
            return False
        return len(value) <= 200 and shannon_entropy(value) >= 3.0
