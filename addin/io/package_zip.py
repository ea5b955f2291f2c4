"""Zip members copied byte for byte (their compressed bytes, untouched) and read in chunks.

The standard library has no public call for a raw copy between archives: `copy_member` writes
the local header with `ZipInfo.FileHeader` and registers the entry the way `ZipFile.writestr`
does, so that `ZipFile.close` writes the central directory as usual.
"""

from __future__ import annotations

import copy
import struct
import zipfile
from collections.abc import Iterator

__all__ = ["copy_member", "member_chunks", "raw_chunks"]

CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_ZIP64_EXTRA = 0x0001


def member_chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The uncompressed content of a member, chunk by chunk (bounded memory)."""
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            yield chunk


def raw_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The stored (compressed) bytes of a member, as they are in the archive."""
    fp = archive.fp
    if fp is None:
        raise ValueError("archive closed")
    fp.seek(info.header_offset)
    header = _LOCAL_HEADER.unpack(fp.read(_LOCAL_HEADER.size))
    if header[0] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    fp.seek(header[10] + header[11], 1)  # file name and extra field
    left = info.compress_size
    while left > 0:
        chunk = fp.read(min(CHUNK, left))
        if not chunk:
            raise zipfile.BadZipFile(f"truncated member {info.filename}")
        left -= len(chunk)
        yield chunk


def _without_zip64(extra: bytes) -> bytes:
    out, pos = b"", 0
    while pos + 4 <= len(extra):
        kind, size = struct.unpack("<HH", extra[pos : pos + 4])
        if kind != _ZIP64_EXTRA:
            out += extra[pos : pos + 4 + size]
        pos += 4 + size
    return out


def copy_member(dst: zipfile.ZipFile, src: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one member without decompressing it; falls back to a re-compressed copy (same
    content) when the stored bytes cannot be copied as they are."""
    fp = dst.fp
    if fp is None or getattr(dst, "_writing", False) or info.flag_bits & 0x1:
        dst.writestr(info, src.read(info))
        return
    new = copy.copy(info)
    new.extra = _without_zip64(info.extra)
    new.flag_bits &= ~0x08  # sizes go in the local header: no data descriptor
    zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    new.header_offset = fp.tell()
    fp.write(new.FileHeader(zip64))
    for chunk in raw_chunks(src, info):
        fp.write(chunk)
    dst.filelist.append(new)
    dst.NameToInfo[new.filename] = new
    dst.start_dir = fp.tell()
    dst._didModify = True  # noqa: SLF001 - makes close() write the central directory
