"""Read the shipped data files in `resources/` (policy defaults, reference tables)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent / "resources"


@cache
def policy_defaults() -> dict[str, dict[str, Any]]:
    """key → {"value", "effective_from" (Jalali), "status", "source"} from resources/policy."""
    out = {}
    for f in sorted((ROOT / "policy").glob("*.json")):
        row = json.loads(f.read_text(encoding="utf-8"))
        out[row["key"]] = row
    return out


@cache
def reference(name: str) -> Any:
    return json.loads((ROOT / "reference" / f"{name}.json").read_text(encoding="utf-8"))
