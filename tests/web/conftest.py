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
