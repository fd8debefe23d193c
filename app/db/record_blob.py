"""How a deadline run's record (A10) is kept in `deadline_runs.snapshot`: packed with
Zstandard at level 1 — a national record is ~56 MB of JSON columns, which zlib at level 1
took 0.43 s to pack (longer than the run's whole write-back) and zstd packs in 0.12 s, a
tenth smaller. Records packed before with zlib are read as they are (told apart by their
first bytes: a zstd frame's magic number; a zlib stream starts 0x78)."""

from __future__ import annotations

import zlib

import zstandard

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def pack(raw: bytes) -> bytes:
    """The record's bytes packed (the frame says its size; the C library lets go of the
    interpreter's lock while it works, so a run packs on another thread)."""
    return zstandard.ZstdCompressor(level=1).compress(raw)


def unpack(blob: bytes) -> bytes:
    """The record's bytes, from either packing."""
    if blob[:4] == _ZSTD_MAGIC:
        return zstandard.ZstdDecompressor().decompress(blob)
    return zlib.decompress(blob)
