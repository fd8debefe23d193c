"""A mixed building's area by use crosses the office server's wire: a registration sent as
JSON (the use case's own signature, validated by pydantic) and one sent by a LAN desk are
stored as the counter gave them; a split that does not add up is refused naming the field."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.db.models import Project
from app.domain.errors import InputError
from app.services import projects
from app.services.dto import OwnerIn, ProjectIn
from support import OWNER
from web_support import bearer, token


def _body(plate: str, split: list[list[str]]) -> dict:
    return {
        "p": {
            "plate": plate,
            "area": "2129.70",
            "floors": 5,
            "owners": [{"national_id": OWNER, "mobile": "09161234567"}],
            "use": "mixed",
            "use_areas": split,
        }
    }


def test_a_mixed_building_is_registered_through_the_api(served, http):
    t = token(http, "clerk")
    r = http.post(
        "/api/call/projects.register_project",
        json=_body("515/3", [["residential", "1500"], ["commercial", "629.70"]]),
        headers=bearer(t),
    )
    assert r.status_code == 200, r.text
    pid = r.json()["value"]["id"]
    with served.base.read() as s:
        row = s.get(Project, pid)
        assert (row.use, row.use_areas) == (
            "mixed",
            {"residential": "1500.00", "commercial": "629.70"},
        )
    wrong = http.post(
        "/api/call/projects.register_project",
        json=_body("516/3", [["residential", "1500"], ["commercial", "600"]]),
        headers=bearer(t),
    )
    assert wrong.status_code == 400, wrong.text
    assert wrong.json()["field"] == "use_areas" and "برابر نیست" in wrong.json()["message"]
    shape = http.post(
        "/api/call/projects.register_project",
        json=_body("517/3", [["residential", "1500", "x"]]),
        headers=bearer(t),
    )
    assert shape.status_code == 400 and shape.json()["field"] == "p"
    with served.base.read() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 1


def test_a_lan_desk_sends_the_split_as_decimals(served):
    p = ProjectIn(
        plate="518/3",
        area=Decimal("900"),
        floors=3,
        owners=(OwnerIn(OWNER, mobile="09161234567"),),
        use="mixed",
        use_areas=(("commercial", Decimal("300.25")), ("office", Decimal("599.75"))),
    )
    summary = projects.register_project(served.clerk, p)
    with served.base.read() as s:
        assert s.get(Project, summary.id).use_areas == {
            "commercial": "300.25",
            "office": "599.75",
        }
    with pytest.raises(InputError) as exc:  # the server's refusal raised again on the desk
        projects.register_project(served.clerk, replace(p, plate="519/3", use="office"))
    assert exc.value.field == "use_areas" and "تنها برای ساختمان مختلط" in exc.value.message
