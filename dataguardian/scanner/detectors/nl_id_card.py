"""NL_ID_CARD: the number of a Dutch identity card.

Same nine-character format and checks as the passport (see ``nl_passport``,
python-stdnum's ``nl.identiteitskaartnummer`` covers both documents). A bare
number needs a word such as ``identiteitskaart`` near it; in an ID card's
machine-readable zone (ICAO 9303 TD1, first line ``I<NLD`` + number + check
digit) the 7-3-1 check digit is verified instead.
"""

from __future__ import annotations

from dataguardian.scanner.detectors.base import Pattern, lead
from dataguardian.scanner.detectors.nl_passport import NUMBER, DutchDocumentDetector


class NlIdCardDetector(DutchDocumentDetector):
    ENTITY = "NL_ID_CARD"
    CATEGORY = "user.government_id"
    SEVERITY = "high"
    PRIORITY = 74
    PATTERNS = (
        Pattern(lead() + f"(?P<v>{NUMBER})", 0.6, context_required=True),
        Pattern(f"I[A-Z<]NLD(?P<v>{NUMBER}[0-9])[0-9<]", 0.95),
    )
    CONTEXT = ("identiteitskaart", "id-kaart", "idkaart", "id kaart", "id card", "id-card", "identity card")
    HEADERS = ("idkaart", "identiteitskaart", "idcard", "idcardnumber", "documentnummer")
