"""A believable demo province for the desk, built through the services on a simulated clock.

`build_demo(url, engineers=2400, projects=150, seed=1405, reset=False) -> int` — see
`province.py`.
"""

from __future__ import annotations

from .province import build_demo

__all__ = ["build_demo"]
