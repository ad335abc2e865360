"""The findings table accepts exactly the entities the scanner reports."""

from dataguardian.scanner.detectors import ENTITIES
from dataguardian.scans.models import Entity, Finding


def test_entity_choices_are_the_scanner_entities() -> None:
    assert set(Entity.values) == set(ENTITIES)
    assert max(map(len, ENTITIES)) <= Finding._meta.get_field("entity").max_length
