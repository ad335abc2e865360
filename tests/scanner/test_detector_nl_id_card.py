"""NL_ID_CARD detector (shares its number format with NL_PASSPORT)."""

from tests.scanner.spans import ENGINE, detect


def test_context_decides_between_passport_and_id_card() -> None:
    assert detect("ID-kaart nummer IR1234AB5") == [("NL_ID_CARD", "IR1234AB5")]
    assert detect("paspoort IR1234AB5") == [("NL_PASSPORT", "IR1234AB5")]


def test_masked_keeps_two_letters() -> None:
    (finding,) = ENGINE.scan_text("identiteitskaart IR1234AB5")
    assert finding.masked == "IR*******"
