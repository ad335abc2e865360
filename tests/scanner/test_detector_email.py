"""EMAIL detector: addresses found with their exact span; look-alikes not."""

import pytest

from tests.scanner.spans import ENGINE, detect


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("mail jan@example.nl now", "jan@example.nl"),
        ("<j.de.vries+news@sub.example.co.uk>", "j.de.vries+news@sub.example.co.uk"),
        ("Contact: Pieter_01@Bedrijf-X.COM.", "Pieter_01@Bedrijf-X.COM"),
        ('{"email":"anna@voorbeeld.org"}', "anna@voorbeeld.org"),
        ("a@b.io", "a@b.io"),
    ],
)
def test_finds_email(text: str, value: str) -> None:
    assert ("EMAIL", value) in detect(text)


@pytest.mark.parametrize(
    "text",
    ["user@localhost", "@example.nl", "jan@", "jan..x@example.nl", "name@example.c", "x@-bad.nl"],
)
def test_ignores_non_addresses(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "EMAIL"] == []


def test_masks_local_part() -> None:
    (finding,) = ENGINE.scan_text("mail jan@example.nl")
    assert finding.masked == "j***@example.nl"
    assert finding.category == "user.contact.email"
