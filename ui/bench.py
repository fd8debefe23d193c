"""`main.py bench-desk --db URL`: how the engineers list feels on a big database.

Prints the first paint (screen created → first page painted), one filter keystroke (key press
→ model reset, debounce included), and the longest stall of the GUI thread meanwhile (a
10 ms timer's worst lateness): the limit the figures are compared with is stated next to them.
"""

from __future__ import annotations

import os
import time


def cmd_bench_desk(args) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, Qt, QTimer
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from app.db.migrate import open_database
    from app.services.context import Actor, ServiceContext

    from .app import application
    from .screens.engineers import EngineersScreen
    from .tasks import TaskRunner

    app = application(["main.py"])
    ctx = ServiceContext(open_database(args.db)).as_actor(Actor("bench", "clerk"))
    runner = TaskRunner(app)

    stall = {"max": 0.0}
    tick = QElapsedTimer()
    tick.start()
    timer = QTimer()
    timer.setInterval(10)

    def on_tick():
        stall["max"] = max(stall["max"], tick.restart() - 10)

    timer.timeout.connect(on_tick)
    timer.start()

    def wait(pred, timeout=60.0):
        end = time.monotonic() + timeout
        while not pred() and time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.001)

    t0 = time.perf_counter()
    screen = EngineersScreen(ctx, runner)
    screen.resize(1400, 900)
    screen.show()
    resets = []
    screen.model.reset_done.connect(resets.append)
    screen.refresh()
    wait(lambda: resets)
    screen.view.viewport().repaint()
    first_paint = time.perf_counter() - t0
    wait(runner.idle)
    print(f"rows in the database: {screen.model.total:,}")
    print(
        f"first paint: {first_paint * 1000:.0f} ms (query {resets[0] * 1000:.0f} ms); limit 500 ms"
    )

    for text in ("م", "7", "حسین"):
        stall["max"] = 0.0
        resets.clear()
        screen.filter.setFocus()
        screen.filter.clear()
        wait(lambda: not screen.debounce.isActive() and runner.idle())
        resets.clear()
        t1 = time.perf_counter()
        for ch in text:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    screen.filter,
                    QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch),
                )
        wait(lambda: resets)
        total = time.perf_counter() - t1
        print(
            f"filter {text!r}: keystroke → model reset {total * 1000:.0f} ms "
            f"(debounce {screen.debounce.interval()} ms + query {resets[0] * 1000:.0f} ms), "
            f"{screen.model.total:,} matches; GUI thread longest stall {stall['max']:.0f} ms "
            f"(limit 50 ms)"
        )
    wait(runner.idle)
    return 0
