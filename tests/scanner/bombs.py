"""Archives for archive-limit tests: tars, and zips written byte by byte.

Deflating 2 GB of zeros to build a small-member zip bomb would take the test
seconds; here one member's deflated bytes are written as many times as
needed, and a directory can be made to lie about the sizes.
"""

from __future__ import annotations

import io
import struct
import tarfile
import zlib


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of deflated members ``(name, deflated bytes, CRC-32, size to declare)``."""
    local, central = bytearray(), bytearray()
    for name, packed, crc, size in members:
        encoded = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), size,
                             len(encoded), 0) + encoded + packed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                               len(packed), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(local), 0)
    return bytes(local + central + end)


def small_member_bomb(members: int = 2000, member_size: int = 1_048_000) -> bytes:
    """``members`` members of zeros just under 1 MB each: about 1 KB packed apiece."""
    zeros = b"\0" * member_size
    packed, crc = deflated(zeros), zlib.crc32(zeros)
    return raw_zip([(f"part{i:04d}.txt", packed, crc, member_size) for i in range(members)])


def tar_bytes(members: dict[str, bytes], mode: str = "w") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()
