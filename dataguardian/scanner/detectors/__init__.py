"""One detector class per entity; ``all_detectors()`` lists one instance of each."""

from __future__ import annotations

from dataguardian.scanner.detectors.aws_access_key import AwsAccessKeyDetector
from dataguardian.scanner.detectors.aws_secret_key import AwsSecretKeyDetector
from dataguardian.scanner.detectors.base import Detector, Pattern
from dataguardian.scanner.detectors.connection_password import ConnectionPasswordDetector
from dataguardian.scanner.detectors.credit_card import CreditCardDetector
from dataguardian.scanner.detectors.date_of_birth import DateOfBirthDetector
from dataguardian.scanner.detectors.email import EmailDetector
from dataguardian.scanner.detectors.generic_secret import GenericSecretDetector
from dataguardian.scanner.detectors.github_token import GithubTokenDetector
from dataguardian.scanner.detectors.iban import IbanDetector
from dataguardian.scanner.detectors.ip_address import IpAddressDetector
from dataguardian.scanner.detectors.jwt import JwtDetector
from dataguardian.scanner.detectors.nl_bsn import NlBsnDetector
from dataguardian.scanner.detectors.nl_id_card import NlIdCardDetector
from dataguardian.scanner.detectors.nl_kvk import NlKvkDetector
from dataguardian.scanner.detectors.nl_passport import NlPassportDetector
from dataguardian.scanner.detectors.nl_postcode import NlPostcodeDetector
from dataguardian.scanner.detectors.phone import DEFAULT_REGIONS, PhoneDetector
from dataguardian.scanner.detectors.private_key import PrivateKeyDetector
from dataguardian.scanner.detectors.slack_token import SlackTokenDetector
from dataguardian.scanner.detectors.tabular import AddressDetector, PersonDetector

DETECTOR_CLASSES: tuple[type[Detector], ...] = (
    EmailDetector,
    PhoneDetector,
    IbanDetector,
    CreditCardDetector,
    NlBsnDetector,
    NlPostcodeDetector,
    IpAddressDetector,
    DateOfBirthDetector,
    NlPassportDetector,
    NlIdCardDetector,
    NlKvkDetector,
    AwsAccessKeyDetector,
    AwsSecretKeyDetector,
    GithubTokenDetector,
    SlackTokenDetector,
    PrivateKeyDetector,
    JwtDetector,
    ConnectionPasswordDetector,
    GenericSecretDetector,
    PersonDetector,
    AddressDetector,
)

ENTITIES: frozenset[str] = frozenset(cls.ENTITY for cls in DETECTOR_CLASSES)


def all_detectors(phone_regions: tuple[str, ...] = DEFAULT_REGIONS) -> list[Detector]:
    """One instance of every detector, in a stable order; the phone detector
    reads the national formats of ``phone_regions``."""
    return [PhoneDetector(phone_regions) if cls is PhoneDetector else cls() for cls in DETECTOR_CLASSES]


__all__ = ["DETECTOR_CLASSES", "ENTITIES", "Detector", "Pattern", "all_detectors"]
