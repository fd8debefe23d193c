"""A benchmark figure against a limit measured in the same run, and the registry of the
measures other layers add to `main.py bench` (issue 6).

`app/` never imports `ui/` or `reports/`: they register their measures here when `main.py`
imports their commands (`FRONT_ENDS`), and `main.py bench` runs whatever was registered.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Measure:
    name: str
    value: float
    unit: str
    limit: float
    goal: float
    detail: dict[str, Any] = field(default_factory=dict, compare=False)  # --json only

    @property
    def ratio(self) -> float:
        return self.value / self.limit if self.limit else float("inf")

    @property
    def meets(self) -> bool:
        return math.isfinite(self.ratio) and self.ratio <= self.goal


# When a measure runs: "data" — on the bench data before the deadline run changes it;
# "end" — after the deadline run (documents, cold start: they do not read the bench data).
Stage = Literal["data", "end"]
MeasureFn = Callable[[Any], list[Measure]]  # fn(world: BenchWorld) -> [Measure, …]

_REGISTRY: list[tuple[Stage, MeasureFn]] = []


def register(fn: MeasureFn, stage: Stage = "data") -> MeasureFn:
    """Add `fn(world) -> list[Measure]` to `main.py bench` (once, whatever the calls)."""
    if stage not in ("data", "end"):
        raise ValueError(f"stage must be 'data' or 'end', not {stage!r}")
    if (stage, fn) not in _REGISTRY:
        _REGISTRY.append((stage, fn))
    return fn


def registered(stage: Stage) -> list[MeasureFn]:
    return [fn for s, fn in _REGISTRY if s == stage]
