"""Shared fixtures: every service test runs on SQLite and on a real PostgreSQL server that
this test run starts itself (tests/pg_server.py)."""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists
# the run's own data folder (the installation's key file, SMS files): never the user's ~/.nezarat
os.environ.setdefault("NEZARAT_DATA", tempfile.mkdtemp(prefix="nezarat-tests-"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest
from hypothesis import settings

from pg_server import PgServer

# CI explores the same examples every run (a red build must be reproducible); locally
# hypothesis keeps looking for new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

_names = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    if os.environ.get("NZ_SKIP_POSTGRES") == "1":
        pytest.skip("NZ_SKIP_POSTGRES=1: PostgreSQL tests skipped on purpose")
    srv = PgServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def own_pg_server():
    """A PostgreSQL server of the test's own, which it may stop and start again (a database
    that goes away under a desk); the shared `pg_server` stays up for everyone else."""
    if os.environ.get("NZ_SKIP_POSTGRES") == "1":
        pytest.skip("NZ_SKIP_POSTGRES=1")
    srv = PgServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A new, empty PostgreSQL database for one test."""
    return pg_server.create_database(f"t_{os.getpid()}_{next(_names)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """Run the test once per dialect."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nz.sqlite'}"
    return request.getfixturevalue("pg_url")
