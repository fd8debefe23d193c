"""Acceptance suite: scenario files replayed through `main.py simulate`.

Every `tests/scenarios/X.json` has a hand-worked `X.result.json`, written from
the rulebook (../shared/spec/rules.md), never copied from the program's output.
The comparison follows ../shared/examples/compare.py: numbers to 0.005,
`message` ignored. Files under `tests/scenarios/malformed/` must exit 2 with
one line on stderr.

RULES maps each file to the rule IDs it really exercises (space-separated); the
comments give the reading chosen where the rulebook leaves room.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "tests" / "scenarios"
MALFORMED = SCENARIOS / "malformed"
SHARED = REPO.parent / "shared" / "examples" / "scenarios"

RULES = {
    # G1–G7 each refuse a candidacy with C2 + the failing ID; several failing
    # conditions are all cited. A1: a G-fact changed after standing (G5), a
    # licence that expires the day before the deadline (G2) and a conviction
    # starting on the deadline day (G7) set candidates aside at the deadline.
    # Readings: "expiry date not passed" keeps the licence valid ON its expiry
    # day; a conviction below the bar (degree 2) or ended the day before does
    # not bar; "from <= day <= until" makes until-day still in force. Several
    # set-aside candidates are listed in candidacy order (here also id order).
    "G_general_conditions_G1-G7_A1": "G1 G2 G3 G4 G5 G6 G7 C2 A1 A4 A9",
    # S1 per discipline and per grade→group; S4 owner, S5 tie, S6 municipality;
    # S2 capacity_m2 = grade total × percent, using the HIGHEST grade (TIE:
    # civil 3 + arch 1 at 25% → 19200 × 0.25 = 4800) although civil 3 still
    # fails S1 for a group-C project.
    "S_competence_and_conflicts_S1_S2_S4_S5_S6": "S1 S2 S4 S5 S6 C2 A3",
    # S7 at standing (area left 260 < 300; 8 jobs = max; design jobs take a slot
    # but no area) and at the decision: 300 ≥ 300 is enough; after winning P1
    # EXACT has 0 m² left for P2 and JOB7 reaches 8 jobs, so P3 is extended.
    "S_capacity_and_jobs_S2_S7_A1": "S2 S7 A1 A3 A4 A6",
    # Referral area = project area × discipline_area_factor; the score charge is
    # that referral area × 0.1 (mech 1000 × 0.5 = 500 m², 50 points).
    "S_area_factor_policy_S7_A4": "S7 A4",
    # S3: completion refused while a referral is open / unsigned / already
    # completed / the project is still waiting (P3, ready at 20:30); a
    # completion gives area and job back (an S7 refusal before it, a success
    # after) but not the score charge.
    # Reading: a completed referral keeps its engineer/method/round/decided_at.
    "S_completion_S3": "S3 S7 C2",
    # S2/S8: update_engineer raises the declared percent (960 → 1920 m², so the
    # second standing is accepted) and fills the job slots (set aside S7).
    "S_capacity_update_S2_S7_S8": "S2 S7 S8 A1",
    # S8: base_score raised before the deadline wins the referral; a conviction
    # added before the deadline sets the candidate aside (G7); a base_score
    # change after the decision still changes the final score (150 − 30).
    "S_score_update_S8": "S8 G7 A1 A2",
    # C1: no form, not ready, rules not accepted, last year's form → C1 + C2.
    # Group not declared, or a discipline the project does not have → C2 alone.
    # At the deadline: form turned not-ready → set aside C1; group dropped → C2.
    # Reading: without a form for the current year the declared percent is
    # unknown, so capacity_m2 is 0 (S2 uses "this year's self-declaration").
    # ... and with no declared supervision share the capacity is zero: S7 beside C1, C2.
    "C_declaration_and_cartable_C1_C2_C6": "C1 C2 C6 A1 S2 S7",
    # Messages of one moment in A3's order (entered distribution, file number, discipline),
    # for a deadline's selections and a signing window's no-shows alike (scenario.md): P1 was
    # registered first but entered distribution last; P3 and P2 entered together, P3's file
    # number is smaller; P2's arch comes before its civil.
    "A_message_order_A3_A8_A9": "A3 A8 A9",
    # Every rule that refuses an event, not the first found (issue 15): a stand after the
    # round ended names C3 with W4 (withdrew), C2 + G3 (not in the cartable), C1 + S7 (no
    # declaration); a cancel with no candidacy while no round runs names C3 and C4.
    "C_every_refusal_C2_C3_C4_W4_S7": "C2 C3 C4 W4 S7 G3 C1",
    # C3: standing before ready_at, at 20:00 after the decision, cancelling after
    # it; a candidacy made at 20:00 of an extended round counts for the next.
    # Reading: a candidate set aside (G4) stays a candidate (C3: in force until
    # cancelled) and wins round 2 once the condition is lifted.
    # C4: double standing, cancelling nothing, a second cancellation.
    # C5: the 4th cancellation of a day is refused; the next day it is allowed.
    "C_rounds_and_cancellation_C3_C4_C5": "C3 C4 C5 A6 A9 U3",
    # A3: order = ready_at, then file number, then discipline (arch before civil
    # although the project lists civil first); A4 applies before the next
    # decision (W and V alternate); A5 sets X aside for PE civil.
    # Reading: notifications at the same minute follow the decision order.
    "A_order_and_effects_A3_A4_A5_A8_A10": "A3 A4 A5 A8 A10 C6",
    # A2: score, then larger remaining capacity, fewer jobs, earlier candidacy,
    # smaller membership number compared as strings ("M10" < "M9").
    # Reading: two candidacies with the same `at` have the same candidacy time
    # even though the file order is M9 first, so the membership number decides.
    "A_ranking_ties_A2_C6": "A2 C6 A4",
    # A6: extended twice, across Friday 08-29 and the holiday 08-30, forced at
    # round 3 (lowest score; ties by capacity, jobs, membership number; the
    # not-ready, wrong-group, wrong-discipline and G5 engineers are not in the
    # pool). A7: nobody holds the traffic discipline → unassigned.
    "A_extension_forced_unassigned_A6_A7": "A6 A7 C4 G5 S1 C1",
    # max_extensions = 0 [policy]: round 1 is the last, forced at its deadline;
    # the pool leaves out 8 jobs (S7), group not listed, G4 and the owner (S4).
    "A_no_extension_policy_A6": "A6 S7 S4 G4",
    # A5 also holds in the forced pool (X, chosen for arch, is not forced into
    # civil); a forced selection that is not signed by 12:00 is a no-show and
    # gives a forced round 2 (W4) without the no-show engineer; Y's −10 stays.
    "A_forced_pool_A5_A6_A9_W4": "A5 A6 A9 W2 W4",
    # Round ends: ready at Thu 20:00 exactly → next working day (Fri and the
    # holiday 08-30 skipped) 09-01; ready Wed 19:59 → the same day's 20:00; a
    # withdrawal at 11:00 → the same day's 20:00; the window after a Thursday
    # decision is Sunday's (A9 on the holiday). E4: 70 → 5 after 5 full days.
    "A_round_deadlines_calendar_A6_A9_W4": "A6 A9 W2 W4",
    # Edited deadline_time 18:00, signing_window 07:00–10:00 and a
    # Thursday+Friday weekend move every deadline, window and no-show with them.
    "A_policy_times_A6_A9_C3": "A6 A9 C3 W4",
    # The clock stops at `until` (scenario.md: "At `until` it processes those
    # still due"): P1's 12:00 no-show of the next day has not come, and P2,
    # ready after `until`, is still waiting with no rounds.
    "A_until_stops_the_clock_A9_P2": "A9 A6 P2",
    # A4: project score = area × 0.1 rounded to 2 decimals, half up as an office
    # rounds: 100.25 → 10.03 (not 10.02), 123.45 → 12.35 (not 12.34).
    "A_score_charge_rounding_A4": "A4",
    # A2: a candidacy cancelled and made again gets its new time, so K4 (10:05)
    # is now earlier than K1 (10:15).
    "A_ranking_restand_time_A2_C4": "A2 C4",
    # score_period = year [policy]: 1404 charges lapse on 1405-01-01 (N1, N3 are
    # back to base) but the withdrawal penalty keeps recovering across the year
    # (reference-data.md formula: N2 = 100 − (70 − 3) = 33). Capacity stays
    # held until a completion (S3), across the year.
    "A_score_period_new_year_A4_W2_S3": "A4 W2 S3 S8",
    # A9: before the selection, 07:59, again after signing, 12:00 (the no-show
    # comes first), and on Friday are refused; 08:00 and 11:59 are accepted.
    # The no-show counts as a withdrawal: W2 penalty (70 → 0, +5 after 5 full
    # days), W3 capacity back, W4 round 2 from the still-standing candidate.
    "A_signing_window_A9_A8_W2": "A9 A8 W2 W3 W4",
    # W1: open / open again / signed / forced round with nobody selected.
    # W2: 70 → 3 after 3 days; 40 → 2; 1.5 is the cap; scores ≤ 0 stay; the
    # surveyor gets the 50-point charge back. W3: used_m2 back to 0.
    # W4: round-1 withdrawal → candidacy round 2 (the withdrawn engineer may
    # not stand: W4); round-2 withdrawal → forced round 3; forced selection
    # withdrawn → forced round 4; standing in a forced round → C3.
    "W_withdrawal_W1_W2_W3_W4": "W1 W2 W3 W4 A6 C3",
    # W2 as seen by others: two full days after withdrawing, E1 ranks with 2
    # points; the reference formula keeps the penalty running beside the new
    # charge: 100 − 40 − 30 − (60 − 3) = −27 at `until`.
    "W_penalty_in_later_ranking_W2_C6": "W2 C6 S8",
    # Edited policy: arch exempt instead of survey, recovery 2 points a day.
    "W_exemption_policy_W2": "W2 W4",
    # P3: group from floors and area, the higher one, at every boundary; it
    # decides S1 (grade_groups) and C2 (declared groups). P4 is NOT applied:
    # a 6-floor, 1300 m² project given only civil gets only a civil referral.
    "P_building_group_P3_P4_S1": "P3 P4 S1 C2",
    # P3 with edited policy tables (group_by_floors, grade_groups).
    "P_group_policy_P3_S1": "P3 S1 S2",
    # Times and dates in Persian digits are read; the result uses Latin digits.
    "P_persian_digits_P3_G2": "P3 G2",
    # F5: a paid year, a year with an earlier one owed → F5; paying the owed
    # year first makes G3 pass; a next-year payment with nothing owed is fine.
    "F_membership_F5_G3": "F5 G3 C2",
}

MALFORMED_RULES = {
    # Reading: a second open file on one plate is refused at the counter (P5);
    # a replay cannot hold a refused project, so the scenario is invalid.
    "P5_second_open_file_same_plate": "P5",
}

REQUIRED = (
    [f"G{i}" for i in range(1, 8)]
    + [f"S{i}" for i in range(1, 9)]
    + [f"C{i}" for i in range(1, 7)]
    + [f"A{i}" for i in range(1, 11)]
    + [f"W{i}" for i in range(1, 5)]
    + ["P3", "P4", "P5", "F5"]
)


def diff(expected, actual, path="$"):
    """Differences between two results, the way compare.py reports them."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key == "message":
                continue
            if key not in expected or key not in actual:
                yield f"{path}.{key}: {'missing' if key not in actual else 'unexpected'}"
            else:
                yield from diff(expected[key], actual[key], f"{path}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            yield f"{path}: {len(actual)} items, expected {len(expected)}"
        for i, (x, y) in enumerate(zip(expected, actual, strict=False)):
            yield from diff(x, y, f"{path}[{i}]")
    elif (
        isinstance(expected, int | float)
        and isinstance(actual, int | float)
        and not isinstance(expected, bool)
    ):
        if abs(expected - actual) > 0.005:
            yield f"{path}: {actual}, expected {expected}"
    elif expected != actual:
        yield f"{path}: {actual!r}, expected {expected!r}"


def simulate(scenario: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", "simulate", str(scenario), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def check_result(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    run = simulate(scenario, out)
    assert run.returncode == 0, f"{scenario.name}: exit {run.returncode}\n{run.stderr}"
    expected = json.loads(scenario.with_suffix(".result.json").read_text(encoding="utf-8"))
    found = list(diff(expected, json.loads(out.read_text(encoding="utf-8"))))
    assert not found, f"{scenario.name} differs from its expected result:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "name", sorted(RULES), ids=[f"{n}:{r.replace(' ', ',')}" for n, r in sorted(RULES.items())]
)
def test_scenario(name, tmp_path):
    """Each rule family's scenario gives its hand-worked result (IDs in RULES)."""
    check_result(SCENARIOS / f"{name}.json", tmp_path)


SHARED_EXAMPLES = [
    "01_competitive_and_signing",
    "02_extensions_then_forced",
    "03_withdrawal_and_rereferral",
]


@pytest.mark.parametrize("name", SHARED_EXAMPLES)
def test_shared_example(name, tmp_path):
    """The three shared examples (A2 A4 A6 A9 C2 G3 W2 W4) give their results."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent")
    check_result(SHARED / f"{name}.json", tmp_path)


@pytest.mark.parametrize("path", sorted(MALFORMED.glob("*.json")), ids=lambda p: p.stem)
def test_malformed_scenario_exits_2(path, tmp_path):
    """Not a valid scenario: exit 2 with one non-empty line on stderr (P5 cites P5)."""
    run = simulate(path, tmp_path / "result.json")
    lines = run.stderr.splitlines()
    assert run.returncode == 2, f"{path.name}: exit {run.returncode}, expected 2\n{run.stderr}"
    assert len(lines) == 1 and lines[0].strip(), f"{path.name}: stderr {run.stderr!r}"
    for rule in MALFORMED_RULES.get(path.stem, "").split():
        assert rule in lines[0], f"{path.name}: the refusal does not cite {rule}: {lines[0]}"


def test_same_scenario_twice_gives_identical_output(tmp_path):
    """A10: same data and policy, same decisions and ranked lists, byte for byte."""
    scenario = SCENARIOS / "A_order_and_effects_A3_A4_A5_A8_A10.json"
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"run{n}.json"
        assert simulate(scenario, out).returncode == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_a_reader_that_closed_stdout_ends_the_replay_quietly():
    """`main.py simulate F | head -c 600`: no BrokenPipeError traceback once the reader has
    gone, the status a shell reports for a process ended by SIGPIPE (128 + 13)."""
    scenario = SCENARIOS / "A_order_and_effects_A3_A4_A5_A8_A10.json"
    with subprocess.Popen(
        [sys.executable, "main.py", "simulate", str(scenario)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as run:
        run.stdout.close()  # the reader is gone before the first byte is written
        err = run.stderr.read().decode()
        code = run.wait(timeout=300)
    assert (code, err) == (141, "")


def test_every_file_is_mapped_and_every_rule_is_covered():
    """RULES names every scenario file, and every required rule ID is exercised."""
    files = {
        p.name.removesuffix(".json")
        for p in SCENARIOS.glob("*.json")
        if not p.name.endswith(".result.json")
    }
    assert files == set(RULES)
    assert all((SCENARIOS / f"{n}.result.json").is_file() for n in RULES)
    covered = {r for ids in [*RULES.values(), *MALFORMED_RULES.values()] for r in ids.split()}
    assert not set(REQUIRED) - covered, sorted(set(REQUIRED) - covered)


@pytest.mark.parametrize("name", sorted(RULES))
def test_scenario_on_postgresql(name, pg_url):
    """The same files give the same results on PostgreSQL (`simulate --db URL`), in-process."""
    from app.scenario.replay import simulate as replay
    from app.scenario.schema import parse

    scenario = SCENARIOS / f"{name}.json"
    actual = replay(parse(scenario.read_text(encoding="utf-8")), pg_url)
    expected = json.loads(scenario.with_suffix(".result.json").read_text(encoding="utf-8"))
    found = list(diff(expected, json.loads(json.dumps(actual))))
    assert not found, f"{name} on PostgreSQL:\n" + "\n".join(found)
