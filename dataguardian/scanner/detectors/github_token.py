"""GITHUB_TOKEN: GitHub personal, OAuth, app and fine-grained tokens."""

from __future__ import annotations

from dataguardian.scanner.detectors.base import Pattern, lead
from dataguardian.scanner.detectors.secret import SecretDetector


class GithubTokenDetector(SecretDetector):
    ENTITY = "GITHUB_TOKEN"
    PATTERNS = (
        Pattern(lead() + r"(?P<v>gh[pousr]_[A-Za-z0-9]{36,251})", 0.95),
        Pattern(lead() + r"(?P<v>github_pat_[A-Za-z0-9_]{50,244})", 0.95),
    )
    CONTEXT = ("github", "token", "gh_")
