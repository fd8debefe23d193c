"""Text and fonts out of a PDF (poppler-utils), for the documents' tests."""

from __future__ import annotations

import os
import subprocess
import unicodedata

import pytest

# poppler-utils is part of the test set-up (.ci/run installs it): a missing tool fails the
# test rather than hiding it, unless NZ_SKIP_POPPLER=1 says so on purpose.
NEEDS_POPPLER = pytest.mark.skipif(
    os.environ.get("NZ_SKIP_POPPLER") == "1",
    reason="NZ_SKIP_POPPLER=1: PDF text and font checks skipped on purpose",
)


def pdf_text(pdf: bytes, *args: str) -> str:
    """The PDF's text in logical order, shaped forms folded back to letters (NFKC)."""
    out = subprocess.run(
        ["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    marks = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u200e\u200f"))
    return unicodedata.normalize("NFKC", out.translate(marks))


def pdf_fonts(pdf: bytes, tmp_path) -> list[dict[str, str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    lines = out.stdout.splitlines()
    head = lines[0]
    cols = ["name", "type", "encoding", "emb", "sub", "uni", "object", "id"]
    starts = [head.index("name"), head.index("type"), head.index("encoding"), head.index("emb")]
    rows = []
    for ln in lines[2:]:
        parts = ln[starts[3] :].split()
        rows.append(
            {
                "name": ln[: starts[1]].strip(),
                "type": ln[starts[1] : starts[2]].strip(),
                **dict(zip(cols[3:], parts, strict=False)),
            }
        )
    return rows


def squash(text: str) -> str:
    """Without whitespace: pdftotext moves spaces around where a digit run meets letters."""
    return "".join(text.split())


def has(text: str, phrase: str) -> bool:
    return squash(phrase) in squash(text)
