"""Archives: recursion, member paths, and every limit giving a clear reason."""

from __future__ import annotations

import gzip
import io
import stat
import struct
import tarfile
import zipfile
import zlib

from dataguardian.scanner.archives import Limits, unsafe_name
from dataguardian.scanner.sources import scan_path
from tests.scanner.bombs import deflated, raw_zip, small_member_bomb, tar_bytes
from tests.scanner.sample_documents import make_xlsx

MAIL = b"contact: jan@example.nl\n"


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return out.getvalue()


def run(tmp_path, name, data, engine, limits=None):
    (tmp_path / name).write_bytes(data)
    results = list(scan_path(str(tmp_path / name), engine, limits))
    prefix = str(tmp_path) + "/"
    found = sorted((r.path.removeprefix(prefix), f.line) for r in results for f in r.findings)
    errors = [(e.path.removeprefix(prefix), e.reason) for r in results for e in r.errors]
    return found, errors


def test_zip_members_and_nested_archives(tmp_path, email_engine):
    inner_tar = tar_bytes({"c.txt": MAIL, "deep/d.csv": b"mail\n" + MAIL})
    data = zip_bytes({"old/customers.csv": b"naam,email\nJan,jan@example.nl\n",
                      "b.tar": inner_tar, "sheet.xlsx": make_xlsx([["Email"], ["a@example.nl"]]),
                      "notes.txt.gz": gzip.compress(b"x\n" + MAIL)})
    found, errors = run(tmp_path, "backup.zip", data, email_engine)
    assert errors == []
    assert found == [("backup.zip!b.tar!c.txt", 1), ("backup.zip!b.tar!deep/d.csv", 2),
                     ("backup.zip!notes.txt.gz!notes.txt", 2), ("backup.zip!old/customers.csv", 2),
                     ("backup.zip!sheet.xlsx", None)]


def test_tar_gz_lists_members_directly(tmp_path, email_engine):
    data = tar_bytes({"app/log.txt": MAIL}, mode="w:gz")
    found, errors = run(tmp_path, "logs.tgz", data, email_engine)
    assert (found, errors) == ([("logs.tgz!app/log.txt", 1)], [])
    data = tar_bytes({"a.txt": MAIL}, mode="w:bz2")
    assert run(tmp_path, "x.tar.bz2", data, email_engine)[0] == [("x.tar.bz2!a.txt", 1)]


def test_zip_bomb_by_ratio_is_refused_and_the_rest_goes_on(tmp_path, email_engine):
    data = zip_bytes({"bomb.txt": b"\0" * (2 * 1024 * 1024), "ok.txt": MAIL})
    found, errors = run(tmp_path, "bomb.zip", data, email_engine)
    assert found == [("bomb.zip!ok.txt", 1)]
    assert len(errors) == 1 and errors[0][0] == "bomb.zip!bomb.txt"
    assert "compression ratio" in errors[0][1] and "zip bomb" in errors[0][1]


def test_gzip_bomb_is_stopped_while_streaming(tmp_path, email_engine):
    data = gzip.compress(MAIL + b"\n" * (30 * 1024 * 1024))
    found, errors = run(tmp_path, "huge.log.gz", data, email_engine)
    assert errors and "compression ratio" in errors[0][1]
    assert errors[0][0] == "huge.log.gz!huge.log"


def test_total_uncompressed_size_limit_is_judged_from_the_directory(tmp_path, email_engine):
    import random

    rng = random.Random(3)
    members = {f"part{i}.txt": MAIL + b"\n".join(rng.randbytes(32).hex().encode() for _ in range(9000))
               for i in range(6)}
    limits = Limits(max_total_bytes=1_500_000)
    found, errors = run(tmp_path, "many.zip", zip_bytes(members), email_engine, limits)
    assert found == []
    assert errors[0][0] == "many.zip" and "over the limit of 1.4 MiB" in errors[0][1]


def test_encrypted_member_is_reported(tmp_path, email_engine):
    data = bytearray(zip_bytes({"secret.txt": MAIL, "open.txt": MAIL}, zipfile.ZIP_STORED))
    # set the "encrypted" flag of the first member in its local and central headers
    for flags_at in (6, data.find(b"PK\x01\x02") + 8):
        flags = struct.unpack("<H", data[flags_at:flags_at + 2])[0]
        data[flags_at:flags_at + 2] = struct.pack("<H", flags | 1)
    found, errors = run(tmp_path, "locked.zip", bytes(data), email_engine)
    assert found == [("locked.zip!open.txt", 1)]
    assert errors == [("locked.zip!secret.txt", "encrypted member (password protected), skipped")]


def test_path_traversal_members_are_skipped(tmp_path, email_engine):
    data = zip_bytes({"../../etc/evil.txt": MAIL, "/abs.txt": MAIL, "fine.txt": MAIL})
    found, errors = run(tmp_path, "trav.zip", data, email_engine)
    assert found == [("trav.zip!fine.txt", 1)]
    assert sorted(errors) == [("trav.zip!../../etc/evil.txt", "unsafe member path (path traversal), skipped"),
                              ("trav.zip!/abs.txt", "unsafe member path (path traversal), skipped")]
    tar = tar_bytes({"../up.txt": MAIL, "ok.txt": MAIL})
    found, errors = run(tmp_path, "trav.tar", tar, email_engine)
    assert found == [("trav.tar!ok.txt", 1)] and "path traversal" in errors[0][1]
    assert unsafe_name("C:\\windows\\x") and not unsafe_name("a/b..c/d")


def test_links_and_devices_in_archives(tmp_path, email_engine):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name, kind in (("link", tarfile.SYMTYPE), ("hard", tarfile.LNKTYPE),
                           ("dev", tarfile.CHRTYPE), ("fifo", tarfile.FIFOTYPE)):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = "/etc/shadow"
            archive.addfile(info)
    found, errors = run(tmp_path, "links.tar", out.getvalue(), email_engine)
    assert found == [] and len(errors) == 4
    assert all("link" in reason or "device" in reason for _, reason in errors)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/shadow")
    _, errors = run(tmp_path, "links.zip", zipped.getvalue(), email_engine)
    assert errors == [("links.zip!link", "symbolic link or device member, skipped")]


def test_depth_and_member_count_limits(tmp_path, email_engine):
    nested = zip_bytes({"l1.zip": zip_bytes({"l2.zip": zip_bytes({"deep.txt": MAIL})})})
    found, errors = run(tmp_path, "n.zip", nested, email_engine, Limits(max_depth=2))
    assert found == []
    assert errors == [("n.zip!l1.zip!l2.zip", "archive nested more than 2 levels deep, skipped")]
    assert run(tmp_path, "n.zip", nested, email_engine)[0] == [("n.zip!l1.zip!l2.zip!deep.txt", 1)]
    many = zip_bytes({f"{i}.txt": MAIL for i in range(5)})
    found, errors = run(tmp_path, "m.zip", many, email_engine, Limits(max_members=3))
    assert found == [] and errors == [("m.zip", "more than 3 members in the archive")]
    assert len(run(tmp_path, "m.zip", many, email_engine, Limits(max_members=5))[0]) == 5


def test_member_larger_than_file_limit(tmp_path, email_engine):
    data = zip_bytes({"big.txt": MAIL * 1000, "small.txt": MAIL})
    found, errors = run(tmp_path, "s.zip", data, email_engine, Limits(max_file_size=10_000))
    assert found == [("s.zip!small.txt", 1)]
    assert errors[0][0] == "s.zip!big.txt" and "too large" in errors[0][1]


def test_truncated_archives_report_and_keep_what_was_read(tmp_path, email_engine):
    data = tar_bytes({"a.txt": MAIL, "b.txt": MAIL * 2000}, mode="w")
    found, errors = run(tmp_path, "cut.tar", data[:5000], email_engine)
    assert ("cut.tar!a.txt", 1) in found and errors
    found, errors = run(tmp_path, "cut.zip", zip_bytes({"a.txt": MAIL})[:-30], email_engine)
    assert found == [] and "truncated or invalid zip" in errors[0][1]
    body = MAIL + b"\n".join(str(n * 7919).encode() for n in range(20000))
    found, errors = run(tmp_path, "cut.gz", gzip.compress(body)[:2000], email_engine)
    assert errors == [("cut.gz!cut", "truncated or corrupt compressed data: Compressed file ended "
                                     "before the end-of-stream marker was reached")]


def test_small_member_bomb_is_refused_by_the_whole_archive_ratio(tmp_path, email_engine):
    data = small_member_bomb()  # 2 000 members just under 1 MB: no member is ratio-checked alone
    assert len(data) < 3 * 1024 * 1024
    found, errors = run(tmp_path, "parts.zip", data, email_engine)
    assert found == []
    assert errors == [("parts.zip", "compression ratio of the whole archive over 200:1 (zip bomb?)")]


def test_a_directory_that_lies_about_sizes_is_stopped_while_inflating(tmp_path, email_engine):
    # The directory declares 50 KB per member (ratio 50:1, 2.4 MB in all); the
    # data inflates to 12 MB each. zipfile stops at the declared size and
    # finds the CRC wrong; the whole-archive ratio stops the rest.
    zeros = b"\0" * (12 * 1024 * 1024)
    packed, crc = deflated(zeros), zlib.crc32(zeros)
    data = raw_zip([(f"m{i}.txt", packed, crc, 50 * 1024) for i in range(48)] +
                   [("ok.txt", deflated(MAIL), zlib.crc32(MAIL), len(MAIL))])
    found, errors = run(tmp_path, "liar.zip", data, email_engine)
    assert found == [("liar.zip!ok.txt", 1)]
    assert len(errors) == 48 and all("CRC" in reason or "corrupt" in reason for _, reason in errors)


def test_a_gzip_trailer_that_lies_is_stopped_by_the_ratio_while_inflating(tmp_path, email_engine):
    data = bytearray(gzip.compress(MAIL + b"\n" * (40 * 1024 * 1024)))
    data[-4:] = (1000).to_bytes(4, "little")  # the trailer claims 1 000 bytes
    found, errors = run(tmp_path, "small.txt.gz", bytes(data), email_engine)
    assert errors == [("small.txt.gz!small.txt", "compression ratio over 200:1 (zip bomb?), stopped")]


def test_nested_archives_share_the_whole_source_ratio(tmp_path, email_engine):
    inner = zip_bytes({f"z{i}.txt": b"\0" * 900_000 for i in range(30)})  # 27 MB in ~30 KB
    outer = zip_bytes({"inner.zip": inner, "ok.txt": MAIL}, zipfile.ZIP_STORED)
    found, errors = run(tmp_path, "outer.zip", outer, email_engine)
    assert found == [("outer.zip!ok.txt", 1)]
    assert errors == [("outer.zip!inner.zip", "compression ratio of the whole archive over "
                       "200:1 (zip bomb?)")]
