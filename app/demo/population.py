"""The demo's engineers, owners and buildings as plain data, drawn from one seeded generator.

Nothing here touches the database: `province.py` hands these to the services. The walk also
keeps a little state on each record (database id, area held) so that it picks believable
candidates without asking the database about thousands of engineers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..domain.policy import Policy
from ..domain.projects import building_group, required_disciplines
from ..services.dto import (
    CompetenceIn,
    ConvictionIn,
    DeclarationIn,
    EngineerIn,
    JobIn,
    OwnerIn,
    ProjectIn,
)
from .ids import IdFactory, demo_iban
from .names import (
    ALLEYS,
    CITIES,
    DESIGN_OFFICES,
    FEMALE_FIRST,
    LEGAL_OWNERS,
    MALE_FIRST,
    STREETS,
    SURNAMES,
    fa_digits,
)

# Shares of the membership by discipline (civil and architecture dominate, as in every province).
DISCIPLINE_SHARE = {
    "civil": 38,
    "arch": 28,
    "mech": 11,
    "elec": 11,
    "survey": 6,
    "urban": 3.5,
    "traffic": 2.5,
}
GRADE_SHARE = {"3": 42, "2": 33, "1": 18, "senior": 7}
SMALL_FIELD_GRADE_SHARE = {"3": 55, "2": 38, "1": 7}  # urban and traffic: hardly any seniors
FIELD_NO = {"arch": 1, "civil": 2, "mech": 3, "elec": 4, "survey": 5, "urban": 6, "traffic": 7}
FIRST_YEAR = {"3": (1396, 1404), "2": (1390, 1400), "1": (1384, 1396), "senior": (1378, 1392)}
GRADE_BONUS = {"3": 0, "2": 15, "1": 30, "senior": 45}
PERCENTS = (30, 40, 50, 60, 70, 80, 90, 100)
PERCENT_W = (5, 6, 12, 10, 14, 12, 8, 33)

# Demo tariffs (rials per m²): the published group-A row for four disciplines; the other
# rows are this demo's own figures (the administrator enters the province's real table).
TARIFF_A = {
    "arch": 1_120_000,
    "civil": 1_289_000,
    "mech": 509_000,
    "elec": 475_000,
    "survey": 300_000,
    "urban": 250_000,
    "traffic": 250_000,
}
GROUP_FACTOR = {
    "A": Decimal("1.00"),
    "B": Decimal("1.15"),
    "C": Decimal("1.30"),
    "D": Decimal("1.45"),
}


def fee_rials(area: Decimal, group: str, discipline: str) -> int:
    raw = area * TARIFF_A[discipline] * GROUP_FACTOR[group]
    return int(raw) // 1000 * 1000


def _choice_w(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), list(table.values()))[0]


@dataclass
class DemoEngineer:
    idx: int
    membership_no: str
    first_name: str
    last_name: str
    father_name: str
    national_id: str
    mobile: str
    disciplines: tuple[str, ...]  # supervision competences, all at `grade`
    grade: str
    member_since: int
    paid_through: int
    licence_no: str
    licence_expires: date
    base_score: Decimal
    flags: frozenset[str] = frozenset()  # G1 G4 G5 G6 S6, F5 (data incomplete)
    convictions: tuple[ConvictionIn, ...] = ()
    declaration: DeclarationIn | None = None
    jobs: tuple[JobIn, ...] = ()
    ties: tuple[str, ...] = ()
    design: bool = False
    weight: float = 1.0  # how often this engineer stands for referrals
    # state kept during the walk
    id: int | None = None
    ctx: Any = None
    used: Decimal = Decimal(0)
    active_jobs: int = 0

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()  # a firm: its name alone

    def engineer_in(self) -> EngineerIn:
        comps = [CompetenceIn(d, self.grade) for d in self.disciplines]
        if self.design:
            comps += [CompetenceIn(d, self.grade, "design") for d in self.disciplines]
        return EngineerIn(
            membership_no=self.membership_no,
            competences=tuple(comps),
            base_score=self.base_score,
            national_id=self.national_id,
            first_name=self.first_name,
            last_name=self.last_name,
            father_name=self.father_name,
            mobile=self.mobile,
            iban=demo_iban(self.membership_no),  # finance pays supervisors to it (F3)
            licence_no=self.licence_no,
            licence_expires=self.licence_expires,
            member_since=self.member_since,
            membership_paid_through=self.paid_through,
            resident_in_province="G1" not in self.flags,
            legal_incapacity="G4" in self.flags,
            active_execution_project="G5" in self.flags,
            design_build_qualified="G6" in self.flags,
            employed_by_permit_authority="S6" in self.flags,
            data_complete="F5" not in self.flags,
            convictions=self.convictions,
            declaration=self.declaration,
            jobs=self.jobs,
            financial_ties=self.ties,
        )

    def capacity(self, policy: Policy) -> Decimal:
        d = self.declaration
        if d is None:
            return Decimal(0)
        return policy.capacity_total_m2.get(self.grade, Decimal(0)) * d.supervision_percent / 100

    def convicted_on(self, on: date, policy: Policy) -> bool:
        return any(
            c.degree >= policy.conviction_bar_degree
            and c.start <= on
            and (c.end is None or on <= c.end)
            for c in self.convictions
        )


def make_engineers(
    rng: random.Random,
    ids: IdFactory,
    n: int,
    policy: Policy,
    today: date,
    year: int,
    decl_year: int,
    walk_start: date,
) -> list[DemoEngineer]:
    """`n` engineers; the first three are the demo logins eng1–eng3 (see `DEMO_ENGINEERS`)."""
    drafts = []
    for i in range(n):
        disc = _choice_w(rng, DISCIPLINE_SHARE)
        grade = _choice_w(
            rng, SMALL_FIELD_GRADE_SHARE if disc in ("urban", "traffic") else GRADE_SHARE
        )
        discs = [disc]
        if disc == "urban" and rng.random() < 0.3:
            discs.insert(0, "arch")
        elif disc == "traffic" and rng.random() < 0.4:
            discs.insert(0, "civil")
        elif disc == "arch" and grade in ("3", "2") and rng.random() < 0.03:
            discs.append("urban")
        lo, hi = FIRST_YEAR[grade]
        since = min(rng.randint(lo, hi), decl_year)
        drafts.append((i, tuple(discs), grade, since, rng.random()))
    # Older members hold lower membership numbers.
    order = sorted(drafts, key=lambda d: (d[3], d[4]))
    numbers = {d[0]: 10000 + rank * 11 + rng.randrange(11) for rank, d in enumerate(order)}

    out = []
    for i, discs, grade, since, _r in drafts:
        female = rng.random() < 0.22
        first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
        no = numbers[i]
        # Scores in the hundreds, so that a project's charge (0.1 a m²) is a step, not a fall.
        score = Decimal(200 + (year - since) * 32 + GRADE_BONUS[grade] * 10 + rng.gauss(0, 120))
        score = min(Decimal(1800), max(Decimal(200), score)).quantize(Decimal("0.01"))
        r = rng.random()
        if r < 0.02:
            expires = today - timedelta(days=rng.randint(1, 300))  # G2
        elif r < 0.026:
            expires = walk_start + timedelta(days=rng.randint(1, 12))  # lapses during the walk
        else:
            expires = today + timedelta(days=rng.randint(40, 1800))
        r = rng.random()
        paid = year if r < 0.945 else (year - 1 if r < 0.985 else year - 2)  # G3 for a few
        flags = set()
        for flag, p in (
            ("G1", 0.005),
            ("G4", 0.003),
            ("G5", 0.012),
            ("G6", 0.005),
            ("S6", 0.008),
            ("F5", 0.007),
        ):
            if rng.random() < p:
                flags.add(flag)
        convictions: tuple[ConvictionIn, ...] = ()
        if rng.random() < 0.025:
            start = today - timedelta(days=rng.randint(30, 900))
            end = None if rng.random() < 0.2 else start + timedelta(days=rng.randint(180, 1500))
            convictions = (ConvictionIn(rng.choice((1, 2, 2, 3, 3, 4, 5)), start, end),)
        allowed = sorted(policy.grade_groups.get(grade, frozenset()))
        if "traffic" in discs and grade in ("1", "senior"):
            allowed = [g for g in allowed if g != "D"]  # no traffic supervisor wants group D
        groups = allowed
        if rng.random() < 0.2 and len(allowed) > 1:
            k = rng.randint(1, len(allowed) - 1)
            groups = allowed[:k] if rng.random() < 0.6 else allowed[-k:]
        pct = Decimal(rng.choices(PERCENTS, PERCENT_W)[0])
        r = rng.random()
        if r < 0.88:
            decl = DeclarationIn(decl_year, True, True, tuple(groups), pct)
        elif r < 0.92:
            decl = DeclarationIn(decl_year, False, True, tuple(groups), pct)
        elif r < 0.94:
            decl = DeclarationIn(decl_year, True, False, tuple(groups), pct)
        else:
            decl = None
        cap = policy.capacity_total_m2.get(grade, Decimal(0)) * pct / 100
        jobs: list[JobIn] = []
        r = rng.random()
        if r < 0.008:
            jobs = [JobIn("design")] * 5 + [
                JobIn("supervision", Decimal(rng.randint(150, 600))) for _ in range(3)
            ]  # S7: every job slot used
        elif r < 0.15:
            budget = cap * Decimal("0.7")
            for _ in range(rng.randint(1, 3)):
                area = Decimal(rng.randint(150, 2500))
                if area <= budget:
                    jobs.append(JobIn("supervision", area))
                    budget -= area
        elif r < 0.21:
            jobs = [JobIn("design")] * rng.randint(1, 2)
        out.append(
            DemoEngineer(
                idx=i,
                membership_no=f"7-{no}",
                first_name=first,
                last_name=rng.choice(SURNAMES),
                father_name=rng.choice(MALE_FIRST),
                national_id=ids.national_code(),
                mobile=ids.mobile(),
                disciplines=discs,
                grade=grade,
                member_since=since,
                paid_through=paid,
                licence_no=f"1-17-{FIELD_NO[discs[-1]]}-{no}",
                licence_expires=expires,
                base_score=score,
                flags=frozenset(flags),
                convictions=convictions,
                declaration=decl,
                jobs=tuple(jobs),
                design=rng.random() < 0.6,
                weight=0.0 if rng.random() < 0.3 else rng.lognormvariate(0, 0.8),
            )
        )  # 30% never stand
    _demo_logins(out, policy, today, year, decl_year)
    return out


# The three engineers with desk logins: a strong civil supervisor, an architect, and one
# whose membership fee is owed (so "why not" shows G3).
DEMO_ENGINEERS = (("eng1", "civil", "1"), ("eng2", "arch", "2"), ("eng3", "mech", "2"))


def _demo_logins(
    out: list[DemoEngineer], policy: Policy, today: date, year: int, decl_year: int
) -> None:
    for k, (_user, disc, grade) in enumerate(DEMO_ENGINEERS[: len(out)]):
        e = out[k]
        e.disciplines, e.grade, e.flags, e.convictions = (disc,), grade, frozenset(), ()
        e.licence_expires = today + timedelta(days=900 + 100 * k)
        e.paid_through = year if k < 2 else year - 1
        e.base_score = (Decimal("1723.50"), Decimal("1186.00"), Decimal("961.00"))[k]
        e.declaration = DeclarationIn(
            decl_year,
            True,
            True,
            tuple(sorted(policy.grade_groups[grade])),
            Decimal((100, 80, 70)[k]),
        )
        e.jobs = ()
        e.weight = 0.0  # they act through their own cartable, not the random walk
        e.licence_no = f"1-17-{FIELD_NO[disc]}-{e.membership_no[2:]}"


@dataclass
class RefPlan:
    """How one referral's story should go (the walk follows it where the rules allow)."""

    discipline: str
    stand: dict[int, int] = field(default_factory=dict)  # round → candidates (missing: random)
    post: list[str] = field(default_factory=list)  # per selection: sign | withdraw | no_show
    pick: list[DemoEngineer] = field(default_factory=list)  # who stand first (showcases)
    # walk state
    id: int | None = None
    area: Decimal = Decimal(0)
    deadline: Any = None  # of the running candidacy round
    standing: set[int] = field(default_factory=set)  # engineer idx with an active candidacy
    withdrawn: set[int] = field(default_factory=set)
    cancelled: set[int] = field(default_factory=set)  # C4: once per engineer and referral
    seen_rounds: set[int] = field(default_factory=set)
    seen_selections: set[Any] = field(default_factory=set)
    holder: DemoEngineer | None = None  # who holds its area


@dataclass
class DemoProject:
    idx: int
    city: str
    data: ProjectIn
    group: str
    fees: dict[str, int]
    # the plan (set by the province builder)
    label: str = ""
    ready_i: int | None = None  # index of the deadline that closes round 1 (1-based)
    ready_at: Any = None
    reg_at: Any = None
    gap: str | None = None  # what keeps an intake project out of distribution
    complete: bool = False
    reject_first_fee: bool = False
    refs: dict[str, RefPlan] = field(default_factory=dict)
    # walk state
    id: int | None = None
    file_no: str = ""
    active: bool = True
    completion_scheduled: bool = False
    permit: tuple[str, str] | None = None  # (municipal district, structure type): app/demo/office

    @property
    def owner_codes(self) -> frozenset[str]:
        return frozenset(o.national_id for o in self.data.owners)


def _person(rng: random.Random, ids: IdFactory, city: str, family: str | None = None) -> OwnerIn:
    female = rng.random() < 0.3
    return OwnerIn(
        national_id=ids.national_code(city),
        first_name=rng.choice(FEMALE_FIRST if female else MALE_FIRST),
        last_name=family or rng.choice(SURNAMES),
        father_name=rng.choice(MALE_FIRST),
        mobile=ids.mobile() if rng.random() < 0.95 else None,
        address=_address(rng, city),
    )


def _address(rng: random.Random, city: str) -> str:
    hood = rng.choice(CITIES[city][1])
    return (
        f"{city}، {hood}، {rng.choice(STREETS)}، {rng.choice(ALLEYS)} "
        f"{fa_digits(rng.randint(1, 48))}، پلاک {fa_digits(rng.randint(1, 220))}"
    )


def make_projects(
    rng: random.Random, ids: IdFactory, m: int, policy: Policy, engineers: list[DemoEngineer]
) -> list[DemoProject]:
    cities = list(CITIES)
    city_w = [CITIES[c][0] for c in cities]
    plates: set[str] = set()
    owners_seen: list[OwnerIn] = []
    out = []
    eligible_owners = [e for e in engineers[3:] if e.declaration is not None]
    for i in range(m):
        city = rng.choices(cities, city_w)[0]
        floors = rng.choices(range(1, 15), (8, 18, 14, 16, 12, 7, 5, 4, 3, 3, 2, 2, 1, 1))[0]
        footprint = rng.uniform(110, 420) if floors <= 5 else rng.uniform(220, 520)
        area = footprint * floors * rng.uniform(0.9, 1.12) + (footprint if floors >= 5 else 0)
        area_d = Decimal(f"{min(6000.0, max(120.0, area)):.2f}")
        use = rng.choices(("residential", "mixed", "commercial", "office"), (82, 8, 7, 3))[0]
        group = building_group(floors, area_d, policy)
        discs = list(required_disciplines(floors, area_d, policy))
        if group in ("C", "D") and rng.random() < 0.25:
            discs.append("urban")
        if group in ("C", "D") and use != "residential" and rng.random() < 0.5:
            discs.append("traffic")
        while True:
            plate = f"{rng.randint(1, 4999)}/{rng.randint(1, 999)}"
            if plate not in plates:
                plates.add(plate)
                break
        r = rng.random()
        if r < 0.04:  # a legal owner brought by its managing director
            legal = ids.legal_id()
            owners = (
                OwnerIn(
                    national_id=legal,
                    kind="legal",
                    last_name=rng.choice(LEGAL_OWNERS),
                    mobile=ids.mobile(),
                    address=_address(rng, city),
                    # its registration, from its ID (drawn without touching the demo's chance)
                    registration_no=str(10_000 + int(legal[2:10]) % 90_000),
                    registration_place=f"اداره ثبت شرکت‌ها و مؤسسات غیرتجاری {city}",
                ),
            )
            rep = _person(rng, ids, city)
            brought = ("legal_rep", f"{rep.first_name} {rep.last_name}", rep.national_id)
        else:
            if owners_seen and rng.random() < 0.05:  # a builder with more than one plot
                first = rng.choice(owners_seen)
            else:
                first = _person(rng, ids, city)
            owners_l = [first]
            r2 = rng.random()
            extra = 0 if r2 < 0.78 else (1 if r2 < 0.97 else 2)  # two or three owners
            for _ in range(extra):
                family = first.last_name if rng.random() < 0.5 else None
                owners_l.append(_person(rng, ids, city, family))
            owners = tuple(owners_l)
            owners_seen.append(first)
            if rng.random() < 0.6:
                brought = ("owner", f"{first.first_name} {first.last_name}", first.national_id)
            else:
                office = rng.randrange(len(DESIGN_OFFICES))  # as rng.choice draws it
                brought = ("design_office", DESIGN_OFFICES[office], ids.office_id(office))
        data = ProjectIn(
            plate=plate,
            area=area_d,
            floors=floors,
            owners=owners,
            disciplines=tuple(discs),
            address=owners[0].address if rng.random() < 0.3 else _address(rng, city),
            municipal_file_no=f"{rng.randint(1, 8)}-{rng.randint(1000, 99999)}",
            use=use,
            brought_by_role=brought[0],
            brought_by_name=brought[1],
            brought_by_national_id=brought[2],
        )
        out.append(
            DemoProject(i, city, data, group, {d: fee_rials(area_d, group, d) for d in discs})
        )
    # S4: three plots owned (in part) by a member engineer.
    for p in out[-3:]:
        if not eligible_owners:
            break
        e = rng.choice(eligible_owners)
        me = OwnerIn(
            national_id=e.national_id,
            first_name=e.first_name,
            last_name=e.last_name,
            father_name=e.father_name,
            mobile=e.mobile,
            address=_address(rng, p.city),
        )
        p.data = replace(p.data, owners=(*p.data.owners, me))
    # S5: about 1% of engineers declared a financial tie with an owner.
    codes = [o.national_id for p in out for o in p.data.owners if o.kind == "person"]
    for e in eligible_owners:
        if codes and rng.random() < 0.01:
            e.ties = (rng.choice(codes),)
    return out


def make_high_rise(p: DemoProject, rng: random.Random, policy: Policy) -> None:
    """Turn `p` into a group-D commercial tower with a traffic referral (for the A7 story)."""
    floors = rng.randint(11, 14)
    area = Decimal(f"{rng.uniform(4200, 5900):.2f}")
    discs = (*required_disciplines(floors, area, policy), "traffic")
    p.group = building_group(floors, area, policy)
    p.data = replace(p.data, floors=floors, area=area, use="commercial", disciplines=discs)
    p.fees = {d: fee_rials(area, p.group, d) for d in discs}
