"""The one wrapper over QSettings: the database connection and window geometry."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

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

    # ------------------------------------------------------------ the database
    def connection(self) -> dict[str, str]:
        return {
            k: self.get(f"db/{k}", d)
            for k, d in (
                ("kind", "sqlite"),
                ("path", default_url().split("///", 1)[1]),
                ("host", "localhost"),
                ("port", "5432"),
                ("database", "nezarat"),
                ("user", "nezarat"),
                ("password", ""),
            )
        }

    def set_connection(self, conn: dict[str, str]) -> None:
        for k, v in conn.items():
            self.q.setValue(f"db/{k}", v)
        self.q.sync()

    def database_url(self) -> str:
        return url_of(self.connection())


def url_of(conn: dict[str, str]) -> str:
    if conn.get("kind") == "postgresql":
        user = quote(conn.get("user", ""), safe="")
        pw = quote(conn.get("password", ""), safe="")
        auth = f"{user}:{pw}@" if pw else f"{user}@"
        return (
            f"postgresql+psycopg://{auth}{conn.get('host', 'localhost')}:"
            f"{conn.get('port', '5432')}/{conn.get('database', '')}"
        )
    return f"sqlite:///{conn.get('path', '')}"
