"""Spreadsheet rows every export writes through: a cell whose text starts with `=`, `+`, `-`,
`@`, a tab or a carriage return is text, never a live formula (a bank name
`=HYPERLINK(…)` typed at the counter must not run in finance's Excel), stored as a string
with Excel's quote prefix so that editing the cell keeps it text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """`ws.append(values)` with every formula-like text kept as text (openpyxl worksheet)."""
    values = list(values)
    ws.append(values)
    row = ws.max_row
    for i, v in enumerate(values, start=1):
        if formula_like(v):
            cell = ws.cell(row=row, column=i)
            cell.value = v
            cell.data_type = "s"
            cell.quotePrefix = True
