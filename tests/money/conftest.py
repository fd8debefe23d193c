from __future__ import annotations

import pytest

from app.domain.errors import RuleViolation
from support import Office


@pytest.fixture
def office(db_url) -> Office:
    return Office(db_url)


def refused(fn, *args, rules: set[str], **kw) -> RuleViolation:
    with pytest.raises(RuleViolation) as exc:
        fn(*args, **kw)
    assert set(exc.value.rules) == rules, exc.value.rules
    assert any("\u0600" <= ch <= "\u06ff" for ch in exc.value.message)
    return exc.value


@pytest.fixture
def refuse():
    return refused
