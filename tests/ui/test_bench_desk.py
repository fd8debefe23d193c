"""`ui/bench.py` runs end to end on a tiny database and gives figures (not timings checked:
the figures are for `main.py bench`)."""

from __future__ import annotations

import math

import pytest

from app.bench.measure import Measure
from ui import bench
from ui.settings import default_url


def _sane(m: Measure) -> None:
    assert isinstance(m, Measure)
    for x in (m.value, m.limit, m.ratio):
        assert math.isfinite(x) and x > 0
    assert m.unit == "s" and m.goal == 1.5


def test_desk_measures_on_a_tiny_database(qapp, office):
    for i in range(60):
        office.engineer(f"7-{12340 + i}", last_name=f"مهندس{i}")
    measures = bench.desk_measures(str(office.engine.url), repeats=1)
    assert [m.name.split(": ")[1].split(" (")[0] for m in measures] == [
        "first paint",
        "one filter keystroke",
    ]
    for m in measures:
        _sane(m)
        assert "60 engineers" in m.name


def test_cold_start_measure_starts_the_desk_to_its_login_window():
    m = bench.cold_start_measure(repeats=1)
    _sane(m)
    assert "login window" in m.name


def test_the_desk_registers_its_measures_for_main_py_bench():
    from app.bench import measure

    bench.register_measures()
    bench.register_measures()  # once, however often
    assert measure.registered("data").count(bench.bench_desk) == 1
    assert measure.registered("end").count(bench.bench_cold_start) == 1


def test_the_light_default_url_is_the_database_layers():
    from app.db.engine import default_url as layer_default_url

    assert default_url() == layer_default_url()


def test_desk_measures_refuse_a_missing_database_without_making_it(tmp_path):
    """A mistyped --db made an empty file and waited on its missing tables: refused at once."""
    from app.cli.errors import CommandError

    missing = tmp_path / "wrongdb" / "nz.sqlit"
    with pytest.raises(CommandError, match="پیدا نشد"):
        bench.desk_measures(f"sqlite:///{missing}", repeats=1)
    assert not missing.parent.exists()
