"""The deadline decision (A1–A7) over the run's inputs as columns (issue 17).

A pure function of `RunInputs` (the rows the database returned, `run_inputs.TABLES`): same
inputs, same decisions, same published lines, same bytes (A10).

What does not change during a run is decided for every supervisor at once, as numpy columns:
G1–G7, C1 and S6 per supervisor (a firm also fails G2/G3 through a member); per discipline and
building group C2 and S1; the capacity (S2) per discipline; the score (S8) at the instant; who
is an owner (S4) or tied to one (S5) of each project; who withdrew from each referral (W4).
The loop over the referrals, in A3's order, only does what the previous decisions change: S7
against the capacity and jobs left, A5 against the project's winners so far, and the winner's
charge (A4) — on slices of those columns.

Amounts are integers: areas, percents and scores in hundredths (their stored form), capacity
in units of 10⁻⁽⁴⁺ᵏ⁾ m² (total per grade × percent; k: the decimals of the policy's totals), so
every comparison is exact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

import numpy as np
import orjson

from .calendar import jalali_year, local_date
from .codes import CANDIDACY, DISCIPLINE_ORDER, GRADE_ORDER
from .money import FIRM_CAPACITY_POLICY, FIRM_SCORE_POLICY
from .policy import Policy
from .run_inputs import TABLES, RunInputs, canonical_rows

# Rule IDs a candidate can fail at a deadline, in the (string) order a set-aside line lists them.
RULES = ("A5", "C1", "C2", "G1", "G2", "G3", "G4", "G5", "G6", "G7", "S1", "S4", "S5", "S6", "S7")
RULES += ("W4",)
BIT = {rule: 1 << i for i, rule in enumerate(RULES)}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_US = 86_400_000_000
_CENT = Decimal("0.01")
_NO_YEAR = -(10**9)
_EMPTY = np.zeros(0, np.int64)
_NUMPY = orjson.OPT_SERIALIZE_NUMPY
_GRADE_NAMES = np.array(sorted(GRADE_ORDER), dtype=str)  # grade name → its rank, vectorised
_GRADE_RANK = np.array([GRADE_ORDER[g] for g in _GRADE_NAMES.tolist()], np.int64)


def instant_us(at: datetime) -> int:
    """An aware instant as integer microseconds since 1970 (UTC)."""
    return (at - _EPOCH) // timedelta(microseconds=1)


def instants_us(texts: Sequence[str | None]) -> np.ndarray:
    """Stored UTC instants (`2026-11-18 16:30:00[.ffffff]`) as int64 microseconds, in C."""
    if not len(texts):
        return np.zeros(0, np.int64)
    return np.array(texts, dtype="datetime64[us]").view(np.int64)


def _ints(values: Iterable, n: int) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values.astype(np.int64, copy=False)
    return np.fromiter(values, np.int64, n)


def _flags(values: Sequence) -> np.ndarray:
    """Booleans as the driver gave them (PostgreSQL: bool; SQLite: 0/1)."""
    return np.array(values, dtype=bool) if len(values) else np.zeros(0, bool)


def _dates(values: Sequence[str | None], missing: str) -> np.ndarray:
    """ISO dates as text, comparable with `<`; None read as `missing`."""
    return np.array([missing if x is None else x for x in values], dtype="U10")


def hundredths(v: int) -> str:
    """A count of hundredths as a two-place decimal: 1234.50, -0.05."""
    q, r = divmod(-v if v < 0 else v, 100)
    return f"-{q}.{r:02d}" if v < 0 else f"{q}.{r:02d}"


def _decimals(d: Decimal) -> int:
    exp = d.as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def _round_half_up(total: int, n: int) -> int:
    """total / n to the nearest integer, halves away from zero (Decimal's ROUND_HALF_UP)."""
    q = (2 * abs(total) + n) // (2 * n)
    return -q if total < 0 else q


def project_points(area_hundredths: int, policy: Policy) -> int:
    """A4: the project score of an area (hundredths of a m²), in hundredths of a point."""
    points = (Decimal(area_hundredths).scaleb(-2) * policy.project_score_per_m2).quantize(
        _CENT, rounding=ROUND_HALF_UP
    )
    return int(points.scaleb(2))


_RULES_OF: dict[int, tuple[str, ...]] = {}


def rules_of(mask: int) -> tuple[str, ...]:
    """The rule IDs of a failure mask, sorted (as a set-aside line lists them)."""
    got = _RULES_OF.get(mask)
    if got is None:
        got = _RULES_OF[mask] = tuple(r for r in RULES if mask & BIT[r])
    return got


class RunDecision:
    """One decision of a run: what `Decision` holds, the lines as columns (rows of the
    engineers table) and as the published JSON (the very bytes written to the round and
    hashed into the output digest)."""

    __slots__ = (
        "area",
        "discipline",
        "engineer_id",
        "exclusions",
        "method",
        "next_deadline",
        "outcome",
        "points",
        "project_id",
        "ranked",
        "ranking_json",
        "referral_id",
        "round_kind",
        "round_no",
        "set_aside",
        "set_aside_json",
        "set_aside_public",
    )

    def __init__(self, **kw: Any) -> None:
        for k, v in kw.items():
            setattr(self, k, v)


@dataclass
class RunOutcome:
    decisions: list[RunDecision]  # in A3's order
    output_digest: str  # SHA-256 of the output document (`output_bytes` gives it whole)
    capacity_scale: int  # remaining capacities are in units of 10⁻ˢᶜᵃˡᵉ m²
    engineer_ids: np.ndarray  # row → engineer id (the ranked and set-aside columns hold rows)
    membership_no: list[str]
    tables: dict[str, dict[str, Any]]  # every table as columns, in canonical order (recorded)


# ---------------------------------------------------------------- the columns of a run


def _table(inp: RunInputs, name: str) -> tuple[list[Sequence], bool]:
    """A table's columns, its rows in canonical order; True when they came as rows."""
    t = inp.tables[name]
    if isinstance(t, Mapping):  # columns: a record, or the candidacies as fetched
        return [t[c] for c in TABLES[name]], False
    if name == "candidacies":  # 10⁶ rows: one pass per column, in C
        return [list(map(itemgetter(i), t)) for i in range(len(TABLES[name]))], True
    rows = canonical_rows(name, t)
    if not rows:
        return [() for _ in TABLES[name]], True
    return list(zip(*rows, strict=True)), True


class _Reader:
    """A run's tables as columns, each read from the inputs when first asked for (a fetch
    may still be reading the later ones) and noted in the record (A10)."""

    def __init__(self, inp: RunInputs, record: dict[str, dict[str, Any]]) -> None:
        self._inp, self._record = inp, record
        self._cols: dict[str, list[Sequence]] = {}

    def __getitem__(self, name: str) -> list[Sequence]:
        got = self._cols.get(name)
        if got is None:
            got = self._cols[name] = _table(self._inp, name)[0]
            self._record[name] = dict(zip(TABLES[name], got, strict=True))
        return got

    def rest(self) -> None:
        """Every table not read yet (ties, when no owner): all are in the record."""
        for name in TABLES:
            if name != "candidacies":
                self[name]


class _Columns:
    """Everything static about a run, worked out once over whole columns. The tables are
    read in about the order the fetch returns them (`run_fetch.fetch`), so that with the
    inputs handed over as they arrive (`services.run_overlap`) each is worked on while the
    database sends the next."""

    def __init__(self, inp: RunInputs, cols: _Reader) -> None:
        policy = self.policy = inp.policy
        at = self.at = inp.at.astimezone(UTC)
        self.at_us = instant_us(at)
        on = local_date(at)
        on_s = on.isoformat()
        year = jalali_year(on)

        # ---- supervisors
        c = cols["engineers"]
        n = self.n = len(c[0])
        ids = self.ids = _ints(c[0], n)
        self._lut: np.ndarray | None = None
        if n and np.any(ids[1:] <= ids[:-1]):
            raise ValueError("engineer ids repeat")
        self.mno = list(c[1])
        self.mno_rank = np.unique(np.array(self.mno, dtype=str), return_inverse=True)[1].astype(
            np.int64
        )
        kind_firm = np.array(c[2], dtype=object) == "firm"
        natid = c[3]
        paid = np.array(c[9], dtype=float)  # None: never paid (nan fails every comparison)
        base = _ints(c[10], n)

        # ---- firms and their current members (only a firm has members: load_supervisors)
        f_rows = self.rows_of(cols["firm_members"][0])
        m_rows = self.rows_of(cols["firm_members"][1])
        keep = kind_firm[f_rows]
        f_rows, m_rows = f_rows[keep], m_rows[keep]
        firm = np.zeros(n, bool)
        firm[f_rows] = True  # a firm with members: S2 and S8 through them

        # ---- G1–G7, C1, S6 (own); a firm's members' G2 and G3
        g2 = np.zeros(n, bool)
        lic_e, lic_x = cols["licences"]
        g2[self.rows_of(lic_e)[_dates(lic_x, "9999-12-31") < on_s]] = True
        g3 = ~(paid >= year)  # G3, F5
        own = np.zeros(n, np.int64)
        own[~_flags(c[4])] |= BIT["G1"]
        own[g2] |= BIT["G2"]
        own[g3] |= BIT["G3"]
        own[_flags(c[5])] |= BIT["G4"]
        own[_flags(c[6])] |= BIT["G5"]
        own[_flags(c[7])] |= BIT["G6"]
        own[_flags(c[8])] |= BIT["S6"]
        bar = policy.conviction_bar_degree
        g7 = [
            e
            for e, degree, start, end in zip(*cols["convictions"], strict=True)
            if degree >= bar and start <= on_s and (end is None or on_s <= end)
        ]
        own[self.rows_of(g7)] |= BIT["G7"]
        own[f_rows[g2[m_rows]]] |= BIT["G2"]
        own[f_rows[g3[m_rows]]] |= BIT["G3"]

        # ---- the declaration of the year (C1, C2, S2)
        d = cols["declarations"]
        d_rows = self.rows_of(d[0])
        declared = np.zeros(n, bool)
        declared[d_rows] = True
        ready = np.zeros(n, bool)
        ready[d_rows] = _flags(d[1]) & _flags(d[2])
        own[~ready] |= BIT["C1"]
        percent = np.zeros(n, np.int64)
        percent[d_rows] = _ints(d[4], len(d_rows))
        self._decl_rows, self._decl_groups = d_rows, np.array(d[3], dtype=str)
        self.own = own

        # ---- supervision competences (S1, S2)
        cc = cols["competences"]
        c_rows = self.rows_of(cc[0])
        valid = _dates(cc[3], "9999-12-31") >= on_s
        rank = _GRADE_RANK[np.searchsorted(_GRADE_NAMES, np.array(cc[2], dtype=str))]
        self._comp = (c_rows, np.array(cc[1], dtype=str), rank, valid)
        best = np.full(n, -1, np.int64)
        np.maximum.at(best, c_rows[valid], rank[valid])

        # ---- capacity (S2): total of the highest grade × percent, in units of 10^-(4+k) m²
        totals = policy.capacity_total_m2
        k = max((_decimals(v) for v in totals.values()), default=0)
        self.scale = 4 + k
        grades = sorted(GRADE_ORDER, key=GRADE_ORDER.__getitem__)
        t_units = np.array([int(totals.get(g, Decimal(0)).scaleb(k)) for g in grades], np.int64)
        has_cap = declared & (best >= 0)
        self.cap_person = np.where(has_cap, t_units[np.maximum(best, 0)] * percent, 0)
        self._firm_links = (f_rows, m_rows, firm)
        self._cap: dict[str, np.ndarray] = {}
        if FIRM_CAPACITY_POLICY != "sum" or FIRM_SCORE_POLICY != "mean":
            raise NotImplementedError("firm policies other than sum/mean")

        # ---- held area and jobs (S3, S7)
        h = cols["holds"]
        h_rows = self.rows_of(h[0])
        self.area_factor = 10 ** (self.scale - 2)  # hundredths → capacity units
        self.used = np.zeros(n, np.int64)
        self.used[h_rows] = np.array(h[1], dtype=np.int64) * self.area_factor
        self.jobs = np.zeros(n, np.int64)
        self.jobs[h_rows] = _ints(h[2], len(h_rows))

        # ---- scores at the instant (S8, W2)
        sc = cols["scores"]
        s_rows = self.rows_of(sc[0])
        s_at = instants_us(sc[2])
        points = _ints(sc[4], len(s_rows))
        penalty = np.array(sc[1], dtype=object) == "penalty"
        charged = np.zeros(n, np.int64)
        penalised = np.zeros(n, np.int64)
        counts = ~penalty & (s_at <= self.at_us)  # charges and refunds up to the instant
        if policy.score_period == "year":  # … of the instant's score period
            counts &= np.array(sc[3], dtype=np.int64) == year
        np.add.at(charged, s_rows[counts], points[counts])
        for i in np.flatnonzero(penalty).tolist():  # W2: worth less each full day since
            when = int(s_at[i])
            if self.at_us >= when:
                days = (self.at_us - when) // _DAY_US
                base_p = int(points[i])
                penalised[s_rows[i]] += base_p - min(base_p, days * (sc[5][i] or 0))
        score = base - charged - penalised
        firms = np.flatnonzero(firm)
        if firms.size:  # a firm's base: the mean of its members' scores (money.firm_score)
            total = np.zeros(n, np.int64)
            count = np.zeros(n, np.int64)
            np.add.at(total, f_rows, score[m_rows])
            np.add.at(count, f_rows, 1)
            firm_base = [_round_half_up(int(total[f]), int(count[f])) for f in firms]
            score[firms] = np.array(firm_base, np.int64) - charged[firms] - penalised[firms]
        self.score = score

        # ---- who is (or whose firm's member is) an owner, or tied to one (S4, S5)
        by_project: dict[int, set[str]] = {}
        for p, code in zip(*cols["owners"], strict=True):
            by_project.setdefault(p, set()).add(code)
        self.owners = {p: frozenset(v) for p, v in by_project.items()}
        wanted = set().union(*self.owners.values())
        self.is_code: dict[str, set[int]] = {}
        self.tied: dict[str, set[int]] = {}
        if wanted:
            firms_of: dict[int, list[int]] = {}
            for f, m in zip(f_rows.tolist(), m_rows.tolist(), strict=True):
                firms_of.setdefault(m, []).append(f)
            hits = wanted.intersection(natid)
            for row in [i for i, code in enumerate(natid) if code in hits] if hits else ():
                code = natid[row]
                self.is_code.setdefault(code, set()).update((row, *firms_of.get(row, ())))
            t = cols["ties"]
            for row, code in zip(self.rows_of(t[0]).tolist(), t[1], strict=True):
                if code in wanted:
                    self.tied.setdefault(code, set()).update((row, *firms_of.get(row, ())))

        # ---- A5 before the run, W4 (only the supervisors read matter)
        self.chosen = self._by_key(cols["chosen"])
        self.withdrawn = self._by_key(cols["withdrawals"])

        # ---- forced pools, by engineer id
        self.pools: dict[str, np.ndarray] = {}
        by_disc: dict[str, list[int]] = {}
        for e, disc in zip(*cols["pools"], strict=True):
            by_disc.setdefault(disc, []).append(e)
        for disc, eids in by_disc.items():
            self.pools[disc] = self.rows_of(sorted(eids))
        cols.rest()
        self._static: dict[tuple[str, str], np.ndarray] = {}
        self._lacks: dict[str, np.ndarray] = {}

    def _by_key(self, kv: list[Sequence]) -> dict[int, list[int]]:
        present = set(self.ids.tolist())
        out: dict[int, list[int]] = {}
        for key, e in zip(*kv, strict=True):
            if e in present:
                out.setdefault(key, []).append(int(self.rows_of([e])[0]))
        return out

    def rows_of(self, eids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Rows of the given engineer ids (every one must be in the engineers table)."""
        e = np.asarray(eids, dtype=np.int64)
        if e.size == 0:
            return np.zeros(0, np.int64)
        if self._lut is None:
            top = int(self.ids[-1]) if self.n else -1
            if self.n and int(self.ids[0]) >= 0 and top < 8 * self.n + 1_000_000:
                self._lut = np.full(top + 1, -1, np.int64)
                self._lut[self.ids] = np.arange(self.n)
            else:
                self._lut = np.zeros(0, np.int64)
        lut = self._lut
        if lut.size and int(e.min()) >= 0 and int(e.max()) < lut.size:
            rows = lut[e]
            if rows.min() >= 0:
                return rows
        pos = np.searchsorted(self.ids, e)
        if np.any(pos >= self.n) or np.any(self.ids[np.minimum(pos, self.n - 1)] != e):
            raise ValueError("an engineer the run reads is missing from its engineers table")
        return pos

    def static(self, discipline: str, group: str) -> np.ndarray:
        """G1–G7 C1 S6 C2 S1 failures of every supervisor for a referral of this kind."""
        got = self._static.get((discipline, group))
        if got is None:
            bits = self.own.copy()
            lacks = self._lacks.get(group)
            if lacks is None:  # C2: declared, for other groups
                lacks = self._lacks[group] = self._decl_rows[
                    np.strings.find(self._decl_groups, group) < 0
                ]
            bits[lacks] |= BIT["C2"]
            c_rows, c_disc, rank, valid = self._comp
            allowed = [GRADE_ORDER[g] for g, gs in self.policy.grade_groups.items() if group in gs]
            ok = valid & (c_disc == discipline) & np.isin(rank, allowed)
            s1 = np.ones(self.n, bool)
            s1[c_rows[ok]] = False
            bits[s1] |= BIT["S1"]
            self._static[discipline, group] = got = bits
        return got

    def capacity(self, discipline: str) -> np.ndarray:
        """The capacity (units) of every supervisor in a discipline: a person's own; a firm's
        the sum over its members competent in the discipline."""
        got = self._cap.get(discipline)
        if got is None:
            cap = self.cap_person.copy()
            f_rows, m_rows, firm = self._firm_links
            if firm.any():
                c_rows, c_disc, _rank, valid = self._comp
                competent = np.zeros(self.n, bool)
                competent[c_rows[valid & (c_disc == discipline)]] = True
                use = competent[m_rows]
                total = np.zeros(self.n, np.int64)
                np.add.at(total, f_rows[use], self.cap_person[m_rows[use]])
                cap[firm] = total[firm]
            self._cap[discipline] = got = cap
        return got


# ---------------------------------------------------------------- the decision


def decide_run(inp: RunInputs) -> RunOutcome:
    """Decide every referral due at `inp.at`, one after another (A3), effects at once (A4);
    publish each round's ranked and set-aside lines and hash the output document (A10).
    The due rounds and the candidacies are read first, then the supervisors' tables in about
    the order the fetch returns them (those that need the supervisors' rows — pools, owners,
    withdrawals, chosen — after them), so they may be handed over as they arrive
    (`services.run_overlap`)."""
    record: dict[str, dict[str, Any]] = {}
    tables = _Reader(inp, record)
    due = list(zip(*tables["due"], strict=True))
    nd = len(due)
    # A3: entered distribution, file number, discipline order (stable over the table's order)
    ready = instants_us([r[8] for r in due]).tolist()
    order = sorted(range(nd), key=lambda i: (ready[i], due[i][7], DISCIPLINE_ORDER[due[i][4]]))
    a3 = np.empty(nd, np.int64)
    a3[order] = np.arange(nd)
    standing = _Standing(inp, due, order, a3)  # needs no supervisor: before their tables
    cols = _Columns(inp, tables)
    policy, calendar = inp.policy, inp.calendar
    c_ref, c_eng, c_pos, c_rows, c_stood = standing.in_order(cols)
    record["candidacies"] = {"referral_id": c_ref, "engineer_id": c_eng, "stood_at": c_stood}
    record = {name: record[name] for name in TABLES}
    bounds = np.searchsorted(c_pos, np.arange(nd + 1)).tolist()

    used, jobs, score = cols.used, cols.jobs, cols.score
    max_jobs = policy.max_active_jobs
    chosen = {p: list(v) for p, v in cols.chosen.items()}
    next_deadline = calendar.next_deadline(cols.at, policy.deadline_time)
    s4, s5, s7, w4, a5 = BIT["S4"], BIT["S5"], BIT["S7"], BIT["W4"], BIT["A5"]
    decisions: list[RunDecision] = []
    for k, i in enumerate(order):
        rid, round_no, round_kind, pid, disc, area, group, _file, _ready = due[i]
        static = cols.static(disc, group)
        cap = cols.capacity(disc)
        area_units = area * cols.area_factor
        extra: list[tuple[int, int]] = []  # (row, rule bit) that hold for this referral only
        for code in cols.owners.get(pid, ()):
            extra += [(r, s4) for r in cols.is_code.get(code, ())]
            extra += [(r, s5) for r in cols.tied.get(code, ())]
        extra += [(r, w4) for r in cols.withdrawn.get(rid, ())]
        extra += [(r, a5) for r in chosen.get(pid, ())]

        def assess(rows: np.ndarray, extra=extra, static=static, cap=cap, area=area_units):
            """A1 for these supervisors: the failing rules' bits (0: passes) and capacity left."""
            bits = static[rows]
            for row, bit in extra:
                bits[rows == row] |= bit
            rem = cap[rows] - used[rows]
            bits[(rem < area) | (jobs[rows] >= max_jobs)] |= s7  # S7
            return bits, rem

        aside = (_EMPTY, _EMPTY)
        ranked = None
        outcome = method = None
        exclusions: tuple[tuple[str, int], ...] = ()
        if round_kind == CANDIDACY:
            rows = c_rows[bounds[k] : bounds[k + 1]]
            bits, rem = assess(rows)
            ok = bits == 0
            if not ok.all():
                aside = (rows[~ok], bits[~ok])
            if ok.any():  # A2: highest score, more capacity left, fewer jobs, then standing
                er, rr = rows[ok], rem[ok]
                ranked = _ranked(er, rr, np.lexsort((jobs[er], -rr, -score[er])), cols)
                outcome, method = "selected", "competitive"
            elif round_no <= policy.max_extensions:  # A6: extended to the next deadline
                outcome = "extended"
        if outcome is None:  # A6: forced — lowest score among everyone who may be chosen
            pool = cols.pools.get(disc, _EMPTY)
            bits, rem = assess(pool)
            ok = bits == 0
            if ok.any():
                er, rr = pool[ok], rem[ok]
                by = np.lexsort((cols.mno_rank[er], jobs[er], -rr, score[er]))
                ranked = _ranked(er, rr, by, cols)
                outcome, method = "forced", "forced"
            else:  # A7: unassigned, with how many engineers each rule excluded
                outcome = "unassigned"
                exclusions = tuple(
                    (rule, count)
                    for rule in RULES
                    if (count := int(np.count_nonzero(bits & BIT[rule])))
                )
        engineer_id, points = None, 0
        if ranked is not None:
            winner = int(ranked[0][0])
            points = project_points(area, policy)
            used[winner] += area_units  # A4, at once
            jobs[winner] += 1
            score[winner] -= points
            chosen.setdefault(pid, []).append(winner)  # A5 for the project's next disciplines
            engineer_id = int(cols.ids[winner])
        decisions.append(
            RunDecision(
                referral_id=rid,
                project_id=pid,
                discipline=disc,
                round_no=round_no,
                round_kind=round_kind,
                outcome=outcome,
                engineer_id=engineer_id,
                method=method,
                area=area if engineer_id is not None else 0,
                points=points,
                next_deadline=next_deadline if outcome == "extended" else None,
                exclusions=exclusions,
                ranked=ranked,
                set_aside=aside,
                ranking_json=None,
                set_aside_json=None,
                set_aside_public=None,
            )
        )
    return RunOutcome(
        decisions=decisions,
        output_digest=_publish(decisions, cols, reasons_public=inp.format < 3),
        capacity_scale=cols.scale,
        engineer_ids=cols.ids,
        membership_no=cols.mno,
        tables=record,
    )


def _ranked(rows: np.ndarray, rem: np.ndarray, by: np.ndarray, cols: _Columns) -> tuple:
    """The ranked lines, in order, as they stand now: (rows, scores, remaining, jobs)."""
    rows = rows[by]
    return rows, cols.score[rows], rem[by], cols.jobs[rows]


def _lookup(keys: Sequence[int], values: np.ndarray) -> np.ndarray:
    """The position of each value among `keys` (every value must be one of them)."""
    k = np.asarray(keys, dtype=np.int64)
    if not values.size:
        return _EMPTY
    by = np.argsort(k, kind="stable")
    found = np.searchsorted(k[by], values)
    if np.any(found >= k.size) or np.any(k[by[np.minimum(found, k.size - 1)]] != values):
        raise ValueError("a candidacy of a referral that is not due")
    return by[found]


class _Standing:
    """The candidacies of the candidacy rounds, grouped by referral in A3 order, each group in
    standing order: time of standing, then membership number (A2's last keys). Sorted by
    referral and time at once (no supervisor's row needed); equal times are put in
    membership-number order once the supervisors are read (`in_order`)."""

    def __init__(self, inp: RunInputs, due: list[tuple], order: list[int], a3: np.ndarray):
        (c_ref, c_eng, c_stood), _ = _table(inp, "candidacies")
        m = len(c_ref)
        self.ref, self.eng = _ints(c_ref, m), _ints(c_eng, m)
        self.pos = a3[_lookup([r[0] for r in due], self.ref)]
        stood = instants_us(c_stood)
        keep = np.array([r[2] == CANDIDACY for r in due], bool)[order][self.pos]
        # a forced round has no candidacy (an object snapshot may give some)
        kept = None if keep.all() else np.flatnonzero(keep)
        pos = self.pos if kept is None else self.pos[kept]
        stood = stood if kept is None else stood[kept]
        by = _by_time(pos, stood)
        self.perm = by if kept is None else kept[by]
        self.same = _same_runs(pos[by], stood[by])
        self.moved = kept is not None or not np.array_equal(by, np.arange(by.size))
        self.stood = np.array(c_stood, dtype=object)[self.perm] if self.moved else c_stood

    def in_order(self, cols: _Columns) -> tuple:
        """(referral ids, engineer ids, A3 positions, supervisor rows, times of standing)."""
        perm, stood = self.perm, self.stood
        if self.same:  # equal instants on one referral: the membership number decides
            fix = np.arange(perm.size)
            rank = cols.mno_rank[cols.rows_of(self.eng[perm])]
            for a, b in self.same:
                fix[a:b] = fix[a:b][np.argsort(rank[a:b], kind="stable")]
            if not np.array_equal(fix, np.arange(fix.size)):
                perm = perm[fix]
                stood = np.asarray(stood, dtype=object)[fix]
                self.moved = True
        if not self.moved:
            return self.ref, self.eng, self.pos, cols.rows_of(self.eng), list(stood)
        eng = self.eng[perm]
        return self.ref[perm], eng, self.pos[perm], cols.rows_of(eng), stood.tolist()


def _by_time(pos: np.ndarray, stood: np.ndarray) -> np.ndarray:
    """The order by (referral position, time of standing), stable."""
    if not pos.size:
        return np.zeros(0, np.int64)
    lo = int(stood.min())
    shift = (int(stood.max()) - lo).bit_length()
    if int(pos.max()).bit_length() + shift > 62:
        return np.lexsort((stood, pos))
    return np.argsort((pos << shift) | (stood - lo), kind="stable")


def _same_runs(pos: np.ndarray, stood: np.ndarray) -> list[tuple[int, int]]:
    """The [a, b) runs of equal (position, time) in sorted columns."""
    same = np.flatnonzero((pos[1:] == pos[:-1]) & (stood[1:] == stood[:-1]))
    if not same.size:
        return []
    starts = same[np.concatenate(([True], same[1:] != same[:-1] + 1))]
    ends = same[np.concatenate((same[1:] != same[:-1] + 1, [True]))] + 2
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


# ---------------------------------------------------------------- what a run publishes


def _publish(decisions: list[RunDecision], cols: _Columns, reasons_public: bool) -> str:
    """Each round's ranked and set-aside lines as the JSON written to it — columns, the
    engineer by id, amounts as integers with their decimal places (a national run publishes
    ~10⁶ lines) — and the SHA-256 of the output document made of them. The document names
    who was set aside; by which rules only in a format 2 record's (`reasons_public`): the
    reasons stay in the round, for the office's re-check."""
    ids, scale = cols.ids, cols.scale
    step = 10 ** (scale - 2)
    out = hashlib.sha256(b"[")
    for k, d in enumerate(decisions):
        if d.ranked is None:
            d.ranking_json = b"[]"
        else:
            rows, score, rem, jobs = d.ranked
            exact = not (rem % step).any()
            d.ranking_json = orjson.dumps(
                {
                    "places": {"score": 2, "remaining_m2": 2 if exact else scale},
                    "engineer_id": ids[rows],
                    "score": score,
                    "remaining_m2": rem // step if exact else rem,
                    "active_jobs": jobs,
                },
                option=_NUMPY,
            )
        rows, masks = d.set_aside
        d.set_aside_json = (
            orjson.dumps(
                {
                    "rule_bits": RULES,  # bit i of a line's `rules` is RULES[i]
                    "engineer_id": ids[rows],
                    "rules": masks,
                },
                option=_NUMPY,
            )
            if rows.size
            else b"[]"
        )
        d.set_aside_public = (
            d.set_aside_json
            if reasons_public or not rows.size
            else orjson.dumps({"engineer_id": ids[rows]}, option=_NUMPY)
        )
        if k:
            out.update(b",")
        for part in _output_parts(d):
            out.update(part)
    out.update(b"]")
    return out.hexdigest()


def _output_parts(d: RunDecision) -> Iterable[bytes]:
    """One decision of the output document, whose SHA-256 is the run's output digest."""
    selected = d.engineer_id is not None
    head = orjson.dumps(
        {
            "referral_id": d.referral_id,
            "round_no": d.round_no,
            "round_kind": d.round_kind,
            "outcome": d.outcome,
            "engineer_id": d.engineer_id,
            "method": d.method,
            "area_m2": hundredths(d.area) if selected else None,
            "points": hundredths(d.points) if selected else None,
            "next_deadline": d.next_deadline.astimezone(UTC).isoformat()
            if d.next_deadline
            else None,
            "exclusions": dict(d.exclusions),
        }
    )
    yield head[:-1]
    yield b',"ranking":'
    yield d.ranking_json
    yield b',"set_aside":'
    yield d.set_aside_public
    yield b"}"


def output_bytes(decisions: Sequence[RunDecision]) -> bytes:
    """The whole output document (what `RunOutcome.output_digest` hashes)."""
    return b"[" + b",".join(b"".join(_output_parts(d)) for d in decisions) + b"]"
