"""The office's users (U1): one login per engineer; an engineer's file only for the engineer
role."""

from __future__ import annotations

import pytest

from app.domain.errors import InputError
from app.services import users
from support import Office


@pytest.fixture
def office(tmp_path) -> Office:
    return Office(f"sqlite:///{tmp_path / 'users.sqlite'}")


def test_a_second_login_for_the_same_engineer_is_refused_naming_the_first(office):
    eid = office.engineer("7-28003")  # his login: e7-28003
    with pytest.raises(InputError) as exc:
        users.create_user(office.admin, "eng9", "دوم", "engineer", engineer_id=eid)
    assert exc.value.field == "engineer_id"
    assert "«e7-28003»" in exc.value.message
    assert "eng9" not in {u.username for u in users.list_users(office.admin)}


def test_a_user_of_another_role_is_not_tied_to_an_engineer(office):
    eid = office.engineer("E1")
    with pytest.raises(InputError) as exc:
        users.create_user(office.admin, "k2", "کارشناس", "clerk", engineer_id=eid)
    assert exc.value.field == "engineer_id" and "مهندس" in exc.value.message
