"""EMAIL detector: addresses found with their exact span, on both backends; look-alikes not."""

import hashlib
import hmac

import pytest

from tests.scanner.spans import ENGINE, KEY, detect, scan


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("mail jan@example.nl now", "jan@example.nl"),
        ("<j.de.vries+news@sub.example.co.uk>", "j.de.vries+news@sub.example.co.uk"),
        ("Contact: Pieter_01@Bedrijf-X.COM.", "Pieter_01@Bedrijf-X.COM"),
        ('{"email":"anna@voorbeeld.org"}', "anna@voorbeeld.org"),
        ("a@b.io", "a@b.io"),
        ("mail info@münchen.de graag", "info@münchen.de"),
        ("mail ivan@пример.рф", "ivan@пример.рф"),
        ("test@domain.xn--p1ai.", "test@domain.xn--p1ai"),
        ("info@xn--mnchen-3ya.de", "info@xn--mnchen-3ya.de"),
        ("van jörg@example.de", "jörg@example.de"),
        ("«élodie.dupont@exemple.fr»", "élodie.dupont@exemple.fr"),
        ("用户@例子.广告", "用户@例子.广告"),
        ("Vraag?jan@example.nl", "jan@example.nl"),
        ("is het jan@example.nl?", "jan@example.nl"),
        ("mail jan@example.nl… of", "jan@example.nl"),
        ("jan@example.nl-account", "jan@example.nl"),
        ("jan@example.nl/pad", "jan@example.nl"),
    ],
)
def test_finds_email(text: str, value: str) -> None:
    assert ("EMAIL", value) in detect(text)


@pytest.mark.parametrize(
    "text",
    ["user@localhost", "@example.nl", "jan@", "jan..x@example.nl", "name@example.c", "x@-bad.nl",
     "???@example.nl", "jan@exämple.n1", "«»@example.nl", "jan@example.nl2", "jan@example.nl_x"],
)
def test_ignores_non_addresses(text: str) -> None:
    assert [e for e, _ in detect(text) if e == "EMAIL"] == []


def test_masks_local_part() -> None:
    (finding,) = ENGINE.scan_text("mail jan@example.nl")
    assert finding.masked == "j***@example.nl"
    assert finding.category == "user.contact.email"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail test@domain.xn--p1ai", "t***@domain.xn--p1ai"),
        ("mail jörg@münchen.de", "j***@münchen.de"),
    ],
)
def test_international_addresses_are_masked_whole(text: str, masked: str) -> None:
    (finding,) = scan(text)
    assert finding.masked == masked
    assert finding.context == f"mail {masked}"


def test_hash_covers_the_whole_address_with_the_domain_in_ascii() -> None:
    unicode, ascii_form = scan("info@münchen.de en INFO@xn--mnchen-3ya.de")
    expected = hmac.new(KEY, b"info@xn--mnchen-3ya.de", hashlib.sha256).hexdigest()
    assert unicode.value_hash == ascii_form.value_hash == expected
    (punycode_tld,) = scan("test@domain.xn--p1ai")
    assert punycode_tld.value_hash == hmac.new(KEY, b"test@domain.xn--p1ai", hashlib.sha256).hexdigest()
