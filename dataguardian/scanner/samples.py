"""Labelled samples for the tests and the accuracy bench (not used by scans).

* ``PAIRS``: two different values of every entity that free text can hold,
  each as it would be written (with the phrase its detector needs, such as
  ``geboortedatum``), for checking values that stand right next to each other;
* ``NATIONAL_PHONES``: national phone numbers, each with the region whose
  format it is in;
* ``FORMS``: the written forms the engine must read whole (IPv6, e-mail,
  IBAN, card);
* ``DECOYS``: mistyped IBANs, whose digit groups are no phone, card or BSN.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sample:
    """``value`` of ``entity``, written as ``text`` (``value`` is inside it)."""

    entity: str
    text: str
    value: str = ""

    @property
    def found(self) -> str:
        return self.value or self.text


def _jwt(subject: str) -> str:
    def part(obj: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    signature = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV"
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': subject})}.{signature}"


def _key(body: str) -> str:
    return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"


def _pair(entity: str, *written: tuple[str, str] | str) -> tuple[Sample, Sample]:
    first, second = (Sample(entity, *w) if isinstance(w, tuple) else Sample(entity, w) for w in written)
    return first, second


AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PAIRS: dict[str, tuple[Sample, Sample]] = {
    "EMAIL": _pair("EMAIL", "jan@example.nl", "piet.de.vries@voorbeeld.org"),
    "PHONE": _pair("PHONE", "0031 6 12345678", "0031 20 123 4567"),
    "PHONE+": _pair("PHONE", "+31 6 12345678", "+44 20 7946 0958"),
    "PHONE_NL": _pair("PHONE", "06-12345678", "020-1234567"),
    "IBAN": _pair("IBAN", "NL91 ABNA 0417 1643 00", "DE89 3704 0044 0532 0130 00"),
    "IBAN_COMPACT": _pair("IBAN", "NL91ABNA0417164300", "GB29NWBK60161331926819"),
    "CREDIT_CARD": _pair("CREDIT_CARD", "5500005555555559", "4111111111111111"),
    "CREDIT_CARD_GROUPED": _pair("CREDIT_CARD", "5555 5555 5555 4444", "4111 1111 1111 1111"),
    "NL_BSN": _pair("NL_BSN", "111222333", "123456782"),
    "NL_POSTCODE": _pair("NL_POSTCODE", "1234 AB", "3511 LX"),
    "IP_ADDRESS": _pair("IP_ADDRESS", "8.8.8.8", "2001:db8::1"),
    "DATE_OF_BIRTH": _pair("DATE_OF_BIRTH", ("geboortedatum 12-03-1985", "12-03-1985"),
                           ("geboren op 01-02-1990", "01-02-1990")),
    "NL_PASSPORT": _pair("NL_PASSPORT", ("paspoort XR1234567", "XR1234567"),
                         ("paspoort NW12AB345", "NW12AB345")),
    "NL_ID_CARD": _pair("NL_ID_CARD", ("identiteitskaart IR1234AB5", "IR1234AB5"),
                        ("identiteitskaart IK9876CD4", "IK9876CD4")),
    "NL_KVK": _pair("NL_KVK", ("KvK 12345678", "12345678"), ("KvK 87654321", "87654321")),
    "AWS_ACCESS_KEY": _pair("AWS_ACCESS_KEY", "AKIAIOSFODNN7EXAMPLE", "AKIAZ7VRSQ5TJQ3XLHTP"),
    "AWS_SECRET_KEY": _pair("AWS_SECRET_KEY", (f"aws_secret_access_key={AWS_SECRET}", AWS_SECRET),
                            (f"aws_secret_access_key={AWS_SECRET[::-1]}", AWS_SECRET[::-1])),
    "GITHUB_TOKEN": _pair("GITHUB_TOKEN", "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
                          "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"),
    "SLACK_TOKEN": _pair("SLACK_TOKEN", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                         "xoxp-1234567890-0987654321-abcdefabcdef"),
    "PRIVATE_KEY": _pair("PRIVATE_KEY", _key("MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi"),
                         _key("MIIEowIBAAKCAQEAvRk8Q1z7mNyP0c1e2XWq4b")),
    "JWT": _pair("JWT", _jwt("1234567890"), _jwt("jan")),
    "CONNECTION_PASSWORD": _pair("CONNECTION_PASSWORD", ("postgres://app:S3cret@db:5432/x", "S3cret"),
                                 ("https://jan:Pw-81x@host/", "Pw-81x")),
    "GENERIC_SECRET": _pair("GENERIC_SECRET", ("password=Xk9#mQ2!vLp8", "Xk9#mQ2!vLp8"),
                            ("token=Zq81LmN0pR4sT7uV", "Zq81LmN0pR4sT7uV")),
}
SEPARATORS = (" ", ",", "\n")

# (region, number as written there)
NATIONAL_PHONES: tuple[tuple[str, str], ...] = (
    ("NL", "020-1234567"),
    ("US", "(212) 555-0187"),
    ("US", "212-555-0187"),
    ("TR", "0533 456 78 90"),
    ("PH", "0918 765 4321"),
    ("DE", "030 12345678"),
    ("GB", "020 7946 0958"),
    ("FR", "01 23 45 67 89"),
    ("BE", "0470 12 34 56"),
    ("IT", "347 123 4567"),
    ("ES", "612 34 56 78"),
    ("BR", "(11) 91234-5678"),
    ("IN", "98765 43210"),
    ("JP", "03-1234-5678"),
    ("KR", "010-1234-5678"),
    ("AU", "(02) 9876 5432"),
    ("CH", "044 668 18 00"),
)

FORMS: tuple[Sample, ...] = (
    Sample("IP_ADDRESS", "::ffff:192.0.2.1"),
    Sample("IP_ADDRESS", "64:ff9b::203.0.113.5"),
    Sample("IP_ADDRESS", "2001:db8::/32"),
    Sample("IP_ADDRESS", "2001:db8::1/64"),
    Sample("IP_ADDRESS", "fe80::1%eth0"),
    Sample("IP_ADDRESS", "2001:0db8:0000:0000:0000:ff00:0042:8329"),
    Sample("EMAIL", "info@münchen.de"),
    Sample("EMAIL", "ivan@пример.рф"),
    Sample("EMAIL", "test@domain.xn--p1ai"),
    Sample("EMAIL", "jörg@example.de"),
    Sample("EMAIL", "élodie.dupont@exemple.fr"),
    Sample("IBAN", "nl91abna0417164300"),
    Sample("IBAN", "nl91 abna 0417 1643 00"),
    Sample("IBAN", "NL91-ABNA-0417-1643-00"),
    Sample("IBAN", "BE68 5390 0754 7034"),
    Sample("IBAN", "ES91 2100 0418 4502 0005 1332"),
    Sample("CREDIT_CARD", "5019717010103742"),
    Sample("CREDIT_CARD", "4571857959593587"),
    Sample("CREDIT_CARD", "177016640008382"),
    Sample("CREDIT_CARD", "2200102248078782"),
    Sample("CREDIT_CARD", "6062826468599311"),
    Sample("CREDIT_CARD", "9792437287544966"),
    Sample("CREDIT_CARD", "6200676953921895424"),
    Sample("CONNECTION_PASSWORD", "Server=db;User Id=app;Password=Hunter2!x;", "Hunter2!x"),
)

DECOYS: tuple[str, ...] = (
    "NL91 ABNA 0417 1643 01",
    "DE89 3704 0044 0532 0130 01",
    "GB80 NWBK 9520 0513 1261 17",
    "NL61 KNAB 0733 3783 82",
    "FR91 4300 0824 1023 4378 2355 921",
    "FR91-4300-0824-1023-4378-2355-921",
    "nl91abna0417164301",
)
