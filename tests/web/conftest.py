"""An office server on loopback over each dialect, with its people signed in as desks."""

from __future__ import annotations

import httpx
import pytest

from support import ServedOffice


@pytest.fixture
def served(db_url):
    office = ServedOffice(db_url)
    yield office
    office.close()


@pytest.fixture
def served_pg(pg_url):
    office = ServedOffice(pg_url)
    yield office
    office.close()


@pytest.fixture
def http(served):
    with httpx.Client(base_url=served.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The engineers' site on a small office, shared by a module's tests (tests/site_support)."""
    from site_support import build

    s = build(f"sqlite:///{tmp_path_factory.mktemp('site') / 'nz.sqlite'}")
    yield s
    s.office.close()


@pytest.fixture
def fresh(tmp_path):
    """A site of the test's own (its clock and rows are changed)."""
    from site_support import build

    s = build(f"sqlite:///{tmp_path / 'nz.sqlite'}")
    yield s
    s.office.close()
