"""The demo province's mixed-use buildings come with a believable area by use (shops on the
ground floor, now and then a floor of offices, flats above) that the counter's checks take:
at least two uses, each more than zero, adding up to the building's area."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from app.db.engine import make_engine
from app.db.models import Project
from app.demo.province import mixed_split
from app.domain.uses import use_problems


def test_every_split_the_demo_draws_is_one_the_counter_takes():
    seen = set()
    for idx in range(400):
        floors = 1 + idx % 14
        area = Decimal(f"{120 + idx * 13.37:.2f}")
        split = mixed_split(area, floors, idx)
        assert use_problems("mixed", area, split) == {}, (area, floors, split)
        assert split == mixed_split(area, floors, idx)  # the file's own, every time
        shops = dict(split)["commercial"]
        if floors > 1:  # a shop floor, not the building
            assert shops < area / floors
        seen.add(tuple(code for code, _ in split))
    assert seen == {("residential", "commercial"), ("residential", "commercial", "office")}


def test_the_demo_provinces_mixed_buildings_carry_their_split(tmp_path):
    from app.demo.province import build_demo

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    now = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
    assert build_demo(url, engineers=300, projects=40, seed=7, now=now, out=io.StringIO()) == 0
    with make_engine(url).connect() as c:
        rows = c.execute(select(Project.use, Project.area, Project.use_areas)).all()
    mixed = [r for r in rows if r.use == "mixed"]
    assert mixed, "the demo has no mixed-use building"
    for use, area, split in rows:
        if use != "mixed":
            assert split is None
            continue
        assert sum(Decimal(v) for v in split.values()) == area and len(split) >= 2
