"""The throw-away PostgreSQL server of the test run (it lives in app/db/throwaway_pg.py, so
that `main.py bench --pg` can start one too)."""

from app.db.throwaway_pg import PgServer

__all__ = ["PgServer"]
