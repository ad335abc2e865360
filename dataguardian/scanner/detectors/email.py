"""EMAIL: an address like ``jan@example.nl``."""

from __future__ import annotations

from dataguardian.scanner.detectors.base import Detector, Pattern, lead

LOCAL = "A-Za-z0-9._%+-"
LABEL = "[A-Za-z0-9-]{1,63}"


class EmailDetector(Detector):
    ENTITY = "EMAIL"
    CATEGORY = "user.contact.email"
    SEVERITY = "medium"
    PRIORITY = 70
    TRAIL = "A-Za-z0-9_@"
    PATTERNS = (
        Pattern(
            lead(LOCAL)
            + rf"(?P<v>[{LOCAL}]{{1,64}}@{LABEL}(?:\.{LABEL}){{0,6}}\.[A-Za-z]{{2,24}})",
            0.9,
        ),
    )
    CONTEXT = ("email", "e-mail", "mail", "contact", "adres")
    HEADERS = ("email", "emailadres", "emailaddress", "mail", "mailadres")

    def validate(self, value: str) -> bool:
        local, _, domain = value.rpartition("@")
        if not local or len(local) > 64 or len(value) > 254:
            return False
        if local.startswith(".") or local.endswith(".") or ".." in value:
            return False
        return all(0 < len(label) <= 63 and not label.startswith("-") for label in domain.split("."))

    def normalise(self, value: str) -> str:
        return value.lower()

    def mask(self, value: str) -> str:
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}"
