"""The one wrapper over QSettings: the database connection and window geometry."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings


def default_url() -> str:
    """`app.db.engine.default_url()`, without importing SQLAlchemy: the login window is
    painted before the database layer is loaded (cold start)."""
    data = Path(os.environ.get("NEZARAT_DATA", Path.home() / ".nezarat"))
    return f"sqlite:///{data / 'nezarat.sqlite'}"


class Settings:
    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings or QSettings("Nezarat", "NezaratDesk")

    def get(self, key: str, default: str = "") -> str:
        v = self.q.value(key, default)
        return "" if v is None else str(v)

    def set(self, key: str, value: object) -> None:
        self.q.setValue(key, value)
        self.q.sync()

    # ------------------------------------------------------------ where the desk works
    # `sqlite`: this desk's own file, one user at a time, no server; `server`: the office
    # server's address (and the office's CA certificate for HTTPS). No database password is
    # ever kept by a desk.
    LEGACY = ("host", "port", "database", "user", "password")

    def connection(self) -> dict[str, str]:
        self._scrub_legacy()
        return {
            k: self.get(f"db/{k}", d)
            for k, d in (
                ("kind", "sqlite"),
                ("path", default_url().split("///", 1)[1]),
                ("server", ""),
                ("ca_file", ""),
            )
        }

    def set_connection(self, conn: dict[str, str]) -> None:
        for k, v in conn.items():
            if k not in self.LEGACY:
                self.q.setValue(f"db/{k}", v)
        self.q.sync()

    def database_url(self) -> str:
        """The local SQLite file's URL (kind `sqlite`)."""
        return url_of(self.connection())

    def _scrub_legacy(self) -> None:
        """A desk set up for direct PostgreSQL kept its password here: forget it, and point
        the desk at the office server on the same host instead."""
        if not any(self.q.contains(f"db/{k}") for k in self.LEGACY):
            return
        if self.get("db/kind") == "postgresql":
            self.q.setValue("db/kind", "server")
            self.q.setValue("db/server", f"https://{self.get('db/host', 'localhost')}:8443")
        for k in self.LEGACY:
            self.q.remove(f"db/{k}")
        self.q.sync()


def url_of(conn: dict[str, str]) -> str:
    return f"sqlite:///{conn.get('path', '')}"
