"""The one task runner: work off the GUI thread, results back on it by signal, with progress.

    runner.run(fn, *args, on_done=..., on_error=..., owner=widget)

`fn` runs on a QThreadPool thread; if it accepts a `progress` keyword it gets a callable
`progress(done, total)`. `on_done(result)` / `on_error(exc)` run on the GUI thread, and are
dropped when `owner` has been destroyed meanwhile. Never touch a widget inside `fn`.
"""

from __future__ import annotations

import inspect
import itertools
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from .qtcompat import emit


@dataclass
class _Task:
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    on_progress: Callable[[int, int], None] | None
    owner: QObject | None
    label: str


class _Job(QRunnable):
    def __init__(self, runner: TaskRunner, tid: int, fn, args, kwargs):
        super().__init__()
        self.runner, self.tid, self.fn, self.args, self.kwargs = runner, tid, fn, args, kwargs

    def run(self) -> None:  # worker thread
        try:
            result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._tell(self.runner._failed, exc)
        else:
            self._tell(self.runner._done, result)

    def _tell(self, signal, value: Any) -> None:
        """Back to the GUI thread — unless the window that asked has closed meanwhile (its
        runner deleted): then there is nobody to tell, and the answer is dropped."""
        if not shiboken6.isValid(self.runner):
            return
        try:
            emit(signal, self.tid, value)
        except RuntimeError:  # deleted between the check and the emit
            if shiboken6.isValid(self.runner):
                raise


class TaskRunner(QObject):
    busy_changed = Signal(int)  # tasks running
    progress = Signal(str, int, int)  # label, done, total (total 0: unknown)
    error = Signal(str)  # an error nobody handled, in Persian
    notice = Signal(str)  # something the user should know meanwhile (from any thread)

    _done = Signal(int, object)
    _failed = Signal(int, object)
    _progress = Signal(int, int, int)

    def __init__(self, parent: QObject | None = None, threads: int = 4):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._ids = itertools.count(1)
        self._tasks: dict[int, _Task] = {}
        self._done.connect(self._on_done)
        self._failed.connect(self._on_failed)
        self._progress.connect(self._on_progress)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        owner: QObject | None = None,
        label: str = "",
        **kwargs: Any,
    ) -> int:
        tid = next(self._ids)
        self._tasks[tid] = _Task(on_done, on_error, on_progress, owner, label)
        if _takes_progress(fn):
            kwargs["progress"] = lambda done, total: emit(self._progress, tid, done, total)
        self.pool.start(_Job(self, tid, fn, args, kwargs))
        emit(self.busy_changed, len(self._tasks))
        emit(self.progress, label, 0, 0)
        return tid

    def pending(self) -> int:
        return len(self._tasks)

    def idle(self) -> bool:
        return not self._tasks

    def _finish(self, tid: int) -> _Task | None:
        task = self._tasks.pop(tid, None)
        emit(self.busy_changed, len(self._tasks))
        if task and task.owner is not None and not shiboken6.isValid(task.owner):
            return None
        return task

    @Slot(int, object)
    def _on_done(self, tid: int, result: object) -> None:
        task = self._finish(tid)
        if task and task.on_done:
            task.on_done(result)

    @Slot(int, object)
    def _on_failed(self, tid: int, exc: BaseException) -> None:
        task = self._finish(tid)
        if task is None:
            return
        if task.on_error:
            task.on_error(exc)
        else:
            emit(self.error, error_text(exc))

    @Slot(int, int, int)
    def _on_progress(self, tid: int, done: int, total: int) -> None:
        task = self._tasks.get(tid)
        if task is None:
            return
        if task.on_progress and (task.owner is None or shiboken6.isValid(task.owner)):
            task.on_progress(done, total)
        emit(self.progress, task.label, done, total)


def _takes_progress(fn: Callable[..., Any]) -> bool:
    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def error_text(exc: BaseException) -> str:
    """The Persian message of a refusal or a bad field; anything else, briefly."""
    msg = getattr(exc, "message", None)
    if msg:
        return str(msg)
    return f"خطای پیش‌بینی‌نشده: {exc.__class__.__name__}: {exc}"
