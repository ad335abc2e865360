"""SLACK_TOKEN: Slack bot, user, app and refresh tokens (``xoxb-`` and friends)."""

from __future__ import annotations

from dataguardian.scanner.detectors.base import Pattern, lead
from dataguardian.scanner.detectors.secret import SecretDetector


class SlackTokenDetector(SecretDetector):
    ENTITY = "SLACK_TOKEN"
    TRAIL = "A-Za-z0-9_-"
    PATTERNS = (Pattern(lead() + r"(?P<v>xox[abeoprs]-[0-9]{6,20}-[A-Za-z0-9-]{8,200})", 0.95),)
    CONTEXT = ("slack", "token")
