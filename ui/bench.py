"""The desk's benchmarks (issue 6): each figure against a bare Qt limit measured in the same
run, on the same data, timed the same way.

* `desk_measures(url)` — the engineers list (offscreen), on a database the caller has filled:
  - first paint: the screen created, refreshed and shown (the main window's order) until its
    first page of rows is painted, against the bare query of the same rows put in an
    in-memory model and shown in a bare `QTableView` of the same size until painted;
  - one filter keystroke: the key press in the filter box until the filtered rows are
    painted, against the bare query of the same filtered rows, the bare model reset and the
    bare view painted. The list has no debounce: the query starts on the key press (see
    `EngineerListModel`), so the figure is the whole keystroke; the count of matches and the
    engineer's file that follow the rows are not in it. Before each key both windows are
    painted through (the bare view repainted; the desk's window after its posted layouts,
    `painted_through`), so that no keystroke is billed the paint of the one before.
  "Painted" is, on both sides, the first paint of the view's viewport once the rows are in
  the model and the window is exposed: the desk's own (the update it schedules), or, when it
  has not painted yet, a synchronous repaint — never both (`PaintWatch`). Medians of
  `repeats`, after one warm-up round and `settle_heap()`, as the desk after its login.
* `cold_start_measure()` — a fresh `python main.py` until the login window is first painted
  (`NEZARAT_EXIT_ON_PAINT`), against a fresh python that imports PySide6, creates the
  QApplication and a QWidget and shows it until painted; wall time from the parent, medians.

`main.py bench-desk [--db URL]` prints them; `main.py bench` runs them through the registry of
`app/bench/measure.py` (`register_measures`, called by `ui/commands.py`).
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.bench.measure import Measure

GOAL = 1.5
MAIN = Path(__file__).resolve().parent.parent / "main.py"
SIZE = (1400, 900)

BARE_WINDOW = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, done)
        return False

def done():
    print("painted", flush=True)
    os._exit(0)

app = QApplication(sys.argv[:1])
w = QWidget()
w.resize(460, 300)
f = Painted(w)
w.installEventFilter(f)
w.show()
app.exec()
"""


# ---------------------------------------------------------------- the engineers list


def _fmt_n(n: int) -> str:
    return f"{n:,}"


def _bare_model_class():
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

    display = int(Qt.ItemDataRole.DisplayRole)

    class BareModel(QAbstractTableModel):
        def __init__(self, rows, columns: int):
            super().__init__()
            self.rows, self.columns = rows, columns

        def rowCount(self, parent=QModelIndex()):  # noqa: B008
            return 0 if parent.isValid() else len(self.rows)

        def columnCount(self, parent=QModelIndex()):  # noqa: B008
            return 0 if parent.isValid() else self.columns

        def data(self, index, role=display):
            return self.rows[index.row()][index.column()] if role == display else None

        def set_rows(self, rows) -> None:
            self.beginResetModel()
            self.rows = rows
            self.endResetModel()

    return BareModel


def bare_rows(engine, text: str, limit: int) -> list[tuple[str, ...]]:
    """The rows the list shows for `text`, as plainly as the database gives them: the same
    filter, order and columns (with each engineer's disciplines), through the DB-API."""
    ph = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    where, params = [], []
    for w in text.split():
        where.append(
            f"(membership_no LIKE {ph} OR national_id LIKE {ph} OR mobile LIKE {ph} "
            f"OR first_name LIKE {ph} OR last_name LIKE {ph})"
        )
        params += [f"{w}%", f"{w}%", f"%{w}%", f"%{w}%", f"%{w}%"]
    sql = (
        "SELECT id, membership_no, first_name, last_name, national_id, mobile, kind, "
        "member_since FROM engineers"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY membership_no, id LIMIT {int(limit)}"
    )
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(sql, params)
        rows = cur.fetchall()
        disc: dict[int, list[str]] = {}
        if rows:
            ids = [r[0] for r in rows]
            cur.execute(
                "SELECT engineer_id, discipline FROM competences WHERE engineer_id IN "
                f"({','.join([ph] * len(ids))})",
                ids,
            )
            for eid, d in cur.fetchall():
                disc.setdefault(eid, []).append(d)
        cur.close()
    finally:
        raw.close()
    return [
        (m, f"{f} {la}", n or "", mob or "", k, str(y), ",".join(disc.get(i, ())))
        for i, m, f, la, n, mob, k, y in rows
    ]


def keystrokes(engine) -> list[tuple[str, str]]:
    """(text already typed, the key pressed), from the data: the first character of a
    membership number (every row, or most), then the same number typed on until a hundred
    rows match, then until one does — the middle engineer's number, at any scale."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT count(*) FROM engineers")
        n = cur.fetchone()[0]
        cur.execute(
            f"SELECT membership_no FROM engineers ORDER BY membership_no, id "
            f"LIMIT 1 OFFSET {int(n) // 2}"
        )
        row = cur.fetchone()
        cur.close()
    finally:
        raw.close()
    no = row[0] if row else "7"
    out = [("", no[0])]
    if len(no) > 4:
        out.append((no[:-3], no[-3]))
    if len(no) > 1:
        out.append((no[:-1], no[-1]))
    return out


class _Loop:
    """Waiting without polling: the event loop sleeps until an event comes (every condition
    waited on changes with an event; a 50 ms timer with no slot wakes it anyway)."""

    def __init__(self):
        from PySide6.QtCore import QEventLoop, QTimer

        self.loop = QEventLoop()
        self.flag = QEventLoop.ProcessEventsFlag.WaitForMoreEvents
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.start()

    def until(self, pred, timeout: float = 120.0) -> None:
        end = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > end:
                raise TimeoutError("bench-desk: the desk did not answer in time")
            self.loop.processEvents(self.flag)


def _verbose(*parts) -> None:
    if os.environ.get("NEZARAT_BENCH_VERBOSE"):
        print(
            *(" ".join(f"{x * 1000:.1f}" for x in p) if isinstance(p, list) else p for p in parts),
            file=sys.stderr,
        )


def _paint_watch_class():
    from PySide6.QtCore import QEvent, QObject

    class PaintWatch(QObject):
        """Whether a widget was painted since `arm()` (called at the model reset). The desk
        paints its new rows itself (an update it schedules); forcing a second, synchronous
        repaint would count the rows' painting twice — only an unpainted view is repainted."""

        def __init__(self, widget):
            super().__init__()
            self.armed = self.painted = False
            widget.installEventFilter(self)

        def arm(self) -> None:
            self.armed, self.painted = True, False

        def eventFilter(self, obj, event) -> bool:
            if self.armed and event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    return PaintWatch


def _exposed(widget) -> bool:
    handle = widget.window().windowHandle()
    return handle is not None and handle.isExposed()


def desk_measures(url: str, repeats: int = 7) -> list[Measure]:
    """First paint and one filter keystroke of the engineers list on the database at `url`,
    each against the bare query and bare view of the same rows (medians of `repeats`)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication, QTableView

    from app.cli.errors import reach
    from app.services.context import Actor, ServiceContext

    from .app import application, settle_heap
    from .screens.engineers import EngineersScreen
    from .tasks import TaskRunner

    # the caller's database, only read (no migration, no seeding); a missing file or a server
    # that does not answer is refused (CommandError), never made as a new, empty one
    engine = reach(url)
    app = application(["main.py"])
    ctx = ServiceContext(engine).as_actor(Actor("bench", "clerk"))
    runner = TaskRunner(app)
    loop = _Loop()
    BareModel = _bare_model_class()
    PaintWatch = _paint_watch_class()

    def settled() -> bool:
        return runner.idle() and all(not s._after for s in screens)

    def painted_through(widget) -> None:
        """The window as a clerk sees it before the next key: what the last answers changed
        (the engineer's file, the count) laid out and painted — as the bare view is painted
        before its key. Without it, the file pane of the keystroke before was still waiting
        for its paint when the key was pressed, and was painted inside the keystroke."""
        for _ in range(3):  # layouts post updates, which may post layouts
            QApplication.sendPostedEvents()
        widget.window().repaint()

    screens: list = []

    def desk_first_paint() -> tuple[float, object]:
        resets: list[float] = []
        started = time.perf_counter()
        screen = EngineersScreen(ctx, runner)
        screens.append(screen)
        screen.watch = PaintWatch(screen.view.viewport())
        screen.model.modelReset.connect(screen.watch.arm)
        screen.model.reset_done.connect(resets.append)
        screen.resize(*SIZE)
        screen.refresh()  # as the main window does: the tab's screen refreshed, then shown
        screen.show()
        loop.until(lambda: resets and _exposed(screen))
        if not screen.watch.painted:
            screen.view.viewport().repaint()
        took = time.perf_counter() - started
        loop.until(settled)
        return took, screen

    def bare_first_paint(n: int, size) -> tuple[float, object]:
        started = time.perf_counter()
        model = BareModel(bare_rows(engine, "", n), 7)
        view = QTableView()
        view.verticalHeader().setDefaultSectionSize(row_height)  # the same rows in sight
        view.setModel(model)
        view.resize(size)
        view.show()
        loop.until(lambda: _exposed(view))
        view.viewport().repaint()
        took = time.perf_counter() - started
        return took, view

    def dispose(widget) -> None:
        widget.close()
        widget.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    # warm-up round (imports, caches, the page cache), not counted
    _, screen = desk_first_paint()
    n = screen.model.rowCount()
    size = screen.view.size()
    row_height = screen.view.verticalHeader().defaultSectionSize()
    total = screen.model.total
    _, view = bare_first_paint(n, size)
    shown = [r.membership_no for r in screen.model.rows]
    if [r[0] for r in view.model().rows] != shown:
        raise AssertionError("bench-desk: the bare query does not give the rows the list shows")
    dispose(view)
    screens.remove(screen)
    dispose(screen)
    settle_heap()  # as the desk does once it is up (`run_desktop`)

    desk, bare = [], []
    for i in range(repeats):  # which goes first alternates; the last screen stays for the keys
        if i % 2 or i == repeats - 1:
            took, view = bare_first_paint(n, size)
            bare.append(took)
            dispose(view)
        took, screen = desk_first_paint()
        desk.append(took)
        if not (i % 2 or i == repeats - 1):
            took, view = bare_first_paint(n, size)
            bare.append(took)
            dispose(view)
        if i != repeats - 1:
            screens.remove(screen)
            dispose(screen)
    _verbose("first paint desk", desk, "bare", bare)
    rows = f"{total:,} engineers" if screen.model.counted else f"{total:,}+ engineers"
    first = Measure(
        f"engineers list, {rows}: first paint (screen created → first {n} rows painted; "
        f"limit: bare query + bare QTableView of the same rows; median of {repeats})",
        statistics.median(desk),
        "s",
        statistics.median(bare),
        GOAL,
    )

    # one keystroke: the screen of the last round, and one bare view beside it
    bview = QTableView()
    bview.verticalHeader().setDefaultSectionSize(row_height)
    bmodel = BareModel([], 7)
    bview.setModel(bmodel)
    bview.resize(size)
    bview.show()
    resets: list[float] = []
    screen.model.reset_done.connect(resets.append)
    desk_k, bare_k, kinds = [], [], []

    def desk_key(typed: str, key: str) -> float:
        resets.clear()
        started = time.perf_counter()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                screen.filter,
                QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, key),
            )
        loop.until(lambda: resets)
        if not screen.watch.painted:
            screen.view.viewport().repaint()
        took = time.perf_counter() - started
        if screen.model.text != typed + key:
            raise AssertionError("bench-desk: the keystroke did not reach the filter")
        return took

    def bare_key(typed: str, key: str) -> float:
        started = time.perf_counter()
        bmodel.set_rows(bare_rows(engine, typed + key, screen.model.PAGE))
        bview.viewport().repaint()
        return time.perf_counter() - started

    strokes = keystrokes(engine)
    for typed, key in strokes:
        d_times, b_times = [], []
        for i in range(repeats + 1):  # the first is a warm-up
            screen.filter.setFocus()
            screen.filter.setText(typed)
            loop.until(lambda typed=typed: screen.model.text == typed and settled())
            painted_through(screen)
            bmodel.set_rows(bare_rows(engine, typed, screen.model.PAGE))
            loop.until(lambda: _exposed(bview))
            bview.viewport().repaint()
            if i % 2:  # which goes first alternates (the second may find warmer caches)
                b = bare_key(typed, key)
                d = desk_key(typed, key)
            else:
                d = desk_key(typed, key)
                b = bare_key(typed, key)
            if [r[0] for r in bmodel.rows] != [r.membership_no for r in screen.model.rows]:
                raise AssertionError("bench-desk: the bare query does not give the filtered rows")
            loop.until(settled)
            if i:
                d_times.append(d)
                b_times.append(b)
        _verbose(f"keystroke {typed!r}+{key!r} desk", d_times, "bare", b_times)
        desk_k.append(statistics.median(d_times))
        bare_k.append(statistics.median(b_times))
        kinds.append(f"{typed!r}+{key!r} → {_fmt_n(screen.model.total)}")
    keystroke = Measure(
        f"engineers list, {rows}: one filter keystroke (key press → filtered rows painted; "
        f"no debounce; sum over {len(strokes)} keystrokes [{', '.join(kinds)} rows] of "
        f"medians of {repeats}; limit: bare query + bare QTableView model reset of the same "
        "rows)",
        sum(desk_k),
        "s",
        sum(bare_k),
        GOAL,
    )
    dispose(bview)
    for s in screens:
        dispose(s)
    runner.pool.waitForDone(60_000)
    QApplication.processEvents()
    engine.dispose()
    gc.unfreeze()
    return [first, keystroke]


# ---------------------------------------------------------------- cold start


def _until_painted(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=str(MAIN.parent), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        line = proc.stdout.readline()
        took = time.perf_counter() - started
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    if not line.startswith(b"painted"):
        raise RuntimeError(f"cold start: {cmd[-1]!r} did not report a painted window")
    return took


def cold_start_measure(repeats: int = 7) -> Measure:
    """A fresh `python main.py` until the login window is painted, against a fresh python
    showing a bare QWidget until painted (offscreen; wall time seen by the parent; medians;
    one warm-up of each first, for the file cache)."""
    with tempfile.TemporaryDirectory(prefix="nezarat-cold-") as tmp:
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            NEZARAT_EXIT_ON_PAINT="1",
            NEZARAT_DATA=str(Path(tmp) / "data"),  # never the office's database
            XDG_CONFIG_HOME=str(Path(tmp) / "config"),  # nor its settings
        )
        desk_cmd = [sys.executable, str(MAIN)]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        desk, bare = [], []
        for i in range(repeats + 1):
            b = _until_painted(bare_cmd, env)
            d = _until_painted(desk_cmd, env)
            if i:
                bare.append(b)
                desk.append(d)
    return Measure(
        f"cold start to the login window (fresh `python main.py` → login window painted; "
        f"limit: fresh python showing a bare PySide6 QWidget; offscreen; median of {repeats})",
        statistics.median(desk),
        "s",
        statistics.median(bare),
        GOAL,
    )


# ---------------------------------------------------------------- main.py bench, bench-desk


def bench_desk(world) -> list[Measure]:
    """`main.py bench`, stage "data": the engineers list on the bench's database."""
    return desk_measures(world.engine.url.render_as_string(hide_password=False))


def bench_cold_start(_world) -> list[Measure]:
    """`main.py bench`, stage "end": the cold start (it does not read the bench data)."""
    return [cold_start_measure()]


def register_measures() -> None:
    from app.bench import measure

    register = getattr(measure, "register", None)
    if register is not None:
        register(bench_desk, "data")
        register(bench_cold_start, "end")


def print_measures(measures: list[Measure]) -> None:
    for m in measures:
        scale = 1000 if m.unit == "s" else 1
        unit = "ms" if m.unit == "s" else m.unit
        met = "met" if m.ratio <= m.goal else "MISSED"
        print(
            f"{m.name}\n    {m.value * scale:.1f} {unit} against {m.limit * scale:.1f} {unit}: "
            f"ratio {m.ratio:.2f} (goal ≤ {m.goal:g}) — {met}"
        )


def cmd_bench_desk(args) -> int:
    measures = desk_measures(args.db, repeats=args.repeats)
    if not args.no_cold_start:
        measures.append(cold_start_measure(repeats=args.repeats))
    print_measures(measures)
    return 0
