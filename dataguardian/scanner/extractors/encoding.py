"""Guess a text encoding from a sample, and tell text from binary garbage."""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Bytes that never appear in text: C0 controls other than \t \n \f \r and ESC.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_CONTROL_TABLE = bytes.maketrans(_CONTROL, b"\x00" * len(_CONTROL))


def detect_encoding(sample: bytes) -> str:
    """The codec name to decode a file whose first bytes are ``sample``.

    A BOM wins; then UTF-8 if the sample is valid UTF-8 (a cut multi-byte
    character at the end is allowed); otherwise charset-normalizer's best
    guess, and cp1252 when it has none (it decodes any byte).
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    if b"\x00" in sample:
        wide = bom_less_utf16(sample)
        if wide:
            return wide
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer  # only here: most files are UTF-8, and it is slow to import

    best = charset_normalizer.from_bytes(sample[:65536]).best()
    if best is None or best.encoding in ("ascii",):
        return "cp1252"
    return best.encoding


def is_wide_encoding(encoding: str) -> bool:
    """UTF-16/32: newlines are not single bytes, so files cannot be split by bytes."""
    return encoding.lower().replace("-", "_").startswith(("utf_16", "utf_32"))


def looks_binary(sample: bytes) -> bool:
    """True when ``sample`` is not text in any encoding worth decoding.

    NUL bytes or many control bytes mean binary, unless the sample is
    UTF-16/32 text (which is full of NULs).
    """
    if not sample:
        return False
    controls = sample.translate(_CONTROL_TABLE).count(0)
    if controls == 0:
        return False
    if any(sample.startswith(bom) for bom, name in _BOMS if name != "utf-8-sig"):
        return False
    if b"\x00" in sample and _looks_utf16(sample):
        return False
    return controls / len(sample) > 0.01 or b"\x00" in sample


def _looks_utf16(sample: bytes) -> bool:
    """BOM-less UTF-16 of mostly-ASCII text: NULs on one parity only."""
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0), odd.count(0)
    half = len(sample) // 2 or 1
    return (nul_even > 0.4 * half and nul_odd < 0.02 * half) or (
        nul_odd > 0.4 * half and nul_even < 0.02 * half
    )


def bom_less_utf16(sample: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` for BOM-less UTF-16 samples, else None."""
    if not _looks_utf16(sample):
        return None
    return "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
