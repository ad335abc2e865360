"""The contract every detector follows.

A detector is one small class per entity. It declares its ``PATTERNS``
(regular expressions that compile in both hyperscan and Python's ``re``),
its ``CONTEXT`` words, and may override ``validate``, ``normalise`` and
``mask``. Detectors hold no mutable state: one instance serves every scan.

Pattern rules, so both backends find exactly the same candidates:

* the value sits in a named group ``(?P<v>...)``; text around it (a leading
  boundary character, a context phrase) is matched but not reported;
* no look-around, no back-references, no ``\\b`` and no ``$``: hyperscan has
  no look-behind and ``re`` searches a window, so anything that depends on
  text outside the match would make the two disagree. Use ``lead()`` for the
  left boundary; the right boundary is checked in Python (``TRAIL``);
* ``TRAIL`` applies when the value ends the match; a pattern that matches
  text after the value (``...NLD`` in a passport's MRZ) is its own boundary;
* only ASCII: the engine matches against an ASCII copy of the text in which
  every other character became ``?`` (a pattern may take ``?`` where a
  non-ASCII letter may stand and let ``bounds`` trim the rest, as ``email``
  does);
* a search resumes where the last value really ended, so a greedy match
  that a detector trims gives its tail back to the next value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

SEVERITIES = ("low", "medium", "high", "critical")

WORD = "A-Za-z0-9_"


def lead(chars: str = WORD) -> str:
    """A left boundary: the start of the text or one character not in ``chars``."""
    return f"(?:^|[^{chars}])"


@dataclass(frozen=True, slots=True)
class Pattern:
    """One regular expression of a detector and the confidence of a bare hit."""

    regex: str
    score: float
    caseless: bool = False
    # Keep a hit only when a CONTEXT word (or a matching column header) is near.
    context_required: bool = False


def raise_severity(severity: str) -> str:
    """The next severity up, ``critical`` staying ``critical``."""
    index = SEVERITIES.index(severity)
    return SEVERITIES[min(index + 1, len(SEVERITIES) - 1)]


def mask_keep(value: str, head: int = 0, tail: int = 0) -> str:
    """Replace letters and digits by ``*`` except the first ``head`` and last ``tail``."""
    chars = list(value)
    positions = [i for i, c in enumerate(chars) if c.isalnum()]
    hidden = positions[head : len(positions) - tail if tail else len(positions)]
    for i in hidden:
        chars[i] = "*"
    return "".join(chars)


def group4(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


class Detector:
    """Base class: one entity, its patterns, context words and checks."""

    ENTITY: ClassVar[str] = ""
    CATEGORY: ClassVar[str] = ""
    SEVERITY: ClassVar[str] = "medium"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = ()
    # Words near a candidate that make it more (CONTEXT) or less likely.
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    NEGATIVE_CONTEXT: ClassVar[tuple[str, ...]] = ()
    # Characters that may not follow the value (right boundary).
    TRAIL: ClassVar[str] = WORD
    # Overlap resolution: higher wins (then longer, then more confident).
    PRIORITY: ClassVar[int] = 50
    # Column headers that name this entity (lower case, compared after
    # removing spaces, dashes and underscores) and, for such a column, the
    # shape a whole cell value must have to be taken as this entity even
    # where no pattern matched. None: the header only raises confidence.
    HEADERS: ClassVar[tuple[str, ...]] = ()
    HEADER_VALUE: ClassVar[str | None] = None

    # How often ``accept`` may drop a trailing group (split by SEPARATORS) to
    # find a valid value inside a greedy match, e.g. a phone number followed
    # by a year: ``+31 6 12345678 2024``.
    SHRINK: ClassVar[int] = 0
    SEPARATORS: ClassVar[str] = " -."
    # Whether a value of the entity's shape that fails its check is a decoy
    # (see ``decoy_length``): masked, not reported, and nothing of lower
    # priority is reported inside it.
    DECOYS: ClassVar[bool] = False

    def validate(self, value: str) -> bool:
        """Whether a candidate passes the entity's checksum or structure check."""
        return True

    def accept(self, value: str) -> int:
        """Length of the valid value at the start of ``value``; 0 rejects it."""
        cut = len(value)
        for _ in range(self.SHRINK + 1):
            if cut <= 0:
                return 0
            if self.validate(value[:cut]):
                return cut
            cut = self.drop_last_group(value, cut)
        return 0

    def decoy_length(self, value: str) -> int:
        """Length of a value at the start of ``value`` that has the entity's
        whole structure but fails its check (a mistyped IBAN); 0 if none."""
        return 0

    def drop_last_group(self, value: str, cut: int) -> int:
        """The length of ``value[:cut]`` without its last separated group."""
        while cut > 0 and value[cut - 1] not in self.SEPARATORS:
            cut -= 1
        while cut > 0 and value[cut - 1] in self.SEPARATORS:
            cut -= 1
        return cut

    def stands_alone(self, text: str, start: int, end: int) -> bool:
        """A last look at what stands around the value (as ``bounds`` left it),
        for what the pattern's leading boundary and ``TRAIL`` cannot say."""
        return True

    def bounds(self, text: str, start: int, end: int) -> tuple[int, int]:
        """Where the value really starts and ends: a pattern may only announce
        a value (a private key's first line) or take in characters around it
        that are not its own."""
        return start, end

    def confidence_delta(self, value: str) -> float:
        """A per-value correction of the pattern's confidence."""
        return 0.0

    def severity_for(self, value: str) -> str:
        """The severity of this value (most detectors: always ``SEVERITY``)."""
        return self.SEVERITY

    def normalise(self, value: str) -> str:
        """The canonical form that is hashed, so one value hashes one way."""
        return value.strip()

    def mask(self, value: str) -> str:
        """What may be shown of the value: by default only its last two characters."""
        return mask_keep(value, tail=2)
