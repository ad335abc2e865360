"""One engine for the detector tests, and the (entity, text) pairs it finds."""

from dataguardian.scanner import Engine, Segment

ENGINE = Engine(b"test-key")


def detect(text: str, header: str | None = None) -> list[tuple[str, str]]:
    segment = Segment(text=text, path="t.txt", header=header)
    return [(entity, text[start:end]) for entity, start, end, _ in ENGINE.spans(segment)]
