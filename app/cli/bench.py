"""`main.py bench`: each measure against a limit measured in the same run, as a ratio."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path


def cmd_bench(args: argparse.Namespace) -> int:
    from ..bench.deadline import measure_deadline

    with tempfile.TemporaryDirectory(prefix="nz-bench-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        measure, info = measure_deadline(url, args.scale)
    rows = [measure]
    if args.json:
        print(
            json.dumps(
                {
                    "measures": [
                        {
                            "name": m.name,
                            "value": round(m.value, 4),
                            "unit": m.unit,
                            "limit": round(m.limit, 4),
                            "ratio": round(m.ratio, 2),
                            "goal": m.goal,
                        }
                        for m in rows
                    ],
                    "data": info,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"data: {info}")
        for m in rows:
            verdict = "meets" if m.ratio <= m.goal else "MISSES"
            print(
                f"{m.name:<44} {m.value:9.3f} {m.unit}  limit {m.limit:8.3f} {m.unit}  "
                f"ratio {m.ratio:6.2f} (goal ≤ {m.goal}) {verdict}"
            )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("bench", help="benchmarks against limits measured in the same run")
    b.add_argument("--db", help="an EMPTY database URL (default: a temporary SQLite file)")
    b.add_argument("--scale", choices=("tiny", "province", "national"), default="province")
    b.add_argument("--json", action="store_true")
    b.set_defaults(func=cmd_bench)
