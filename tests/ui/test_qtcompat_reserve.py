"""A long day at a desk: PySide6 6.12 leaves `None` one reference short from every call that
returns nothing; 300,000 `setText` calls abort a bare process ("none_dealloc"). With the
desk's `ui.qtcompat` loaded they do not. In a subprocess: an abort would take pytest along."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LONG_DAY = """
import ui.app  # the desk's entry, which loads ui.qtcompat first
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for i in range(300_000):
    label.setText("x")
    label.update()
print("still here")
"""


def test_a_long_day_of_calls_does_not_abort_the_desk():
    done = subprocess.run(
        [sys.executable, "-c", LONG_DAY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=300,
    )
    assert done.returncode == 0 and "still here" in done.stdout, done.stderr[-1500:]
