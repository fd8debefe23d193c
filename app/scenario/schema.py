"""Strict reading of a `referral-scenario/1` file: unknown keys, bad dates, unknown ids,
negative areas and values of the wrong type are errors (ScenarioError → exit 2), never
silently ignored. `null` stands for "none" only in the optional fields that have a "none":
an engineer's national_code and license_expires, a conviction's until (no end), an owner's
mobile and a project's ready_at (still waiting) — as if the key were absent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..domain.calendar import (
    WEEKDAYS,
    CalendarError,
    WorkCalendar,
    format_jalali_date,
    local_date,
    parse_jalali_date,
    parse_jalali_datetime,
)
from ..domain.codes import DISCIPLINES, GRADES, GROUPS
from ..domain.policy import POLICY_KEYS, Policy, PolicyError
from ..domain.text import (
    FIRST_DAY,
    LAST_DAY,
    day_ok,
    mobile_problem,
    normalize_code,
    normalize_digits,
    text_problem,
)
from ..resources import policy_defaults
from ..services.dto import CompetenceIn, ConvictionIn, DeclarationIn, JobIn

FORMAT_IN = "referral-scenario/1"
EVENT_TYPES = {
    "nominate": {"engineer", "project", "discipline"},
    "cancel": {"engineer", "project", "discipline"},
    "sign": {"project", "discipline"},
    "withdraw": {"project", "discipline"},
    "complete": {"project"},
    "pay_membership": {"engineer", "year"},
    "update_engineer": {"engineer", "set"},
}
EVENT_OPTIONAL = {"withdraw": {"letter_no"}, "complete": {"certificate_no"}}
EVENT_TEXT_MAX = 64  # a letter or certificate number: the width of its column
ENGINEER_KEYS = {
    "id",
    "national_code",
    "competencies",
    "license_expires",
    "membership_paid_through",
    "resident_in_province",
    "legal_incapacity",
    "active_execution_project",
    "design_build_qualified",
    "employed_by_permit_authority",
    "convictions",
    "declaration",
    "base_score",
    "jobs",
    "financial_ties",
}
ENGINEER_REQUIRED = {"id", "competencies", "base_score"}
FIRM_KEYS = (ENGINEER_KEYS - {"jobs"}) | {"members"}  # docs/scenario-firms.md
FIRM_REQUIRED = {"id", "members"}
PROJECT_KEYS = {"id", "file_no", "plate", "owners", "area", "floors", "disciplines", "ready_at"}
PROJECT_REQUIRED = {"id", "area", "floors", "disciplines"}


class ScenarioError(ValueError):
    """The file is not a valid scenario; the message is one line."""


class DatabaseRefused(ScenarioError):
    """`--db` names no database simulate may use (the scenario may be fine); one line."""


@dataclass(frozen=True)
class Event:
    index: int
    at: datetime
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Owner:
    national_code: str
    mobile: str | None


@dataclass(frozen=True)
class ProjectSpec:
    id: str
    file_no: str | None
    plate: str
    owners: tuple[Owner, ...]
    area: Decimal
    floors: int
    disciplines: tuple[str, ...]
    ready_at: datetime | None


@dataclass(frozen=True)
class Scenario:
    start: datetime
    until: datetime
    policy: dict[str, Any]
    holidays: tuple[date, ...]
    engineers: tuple[dict[str, Any], ...]  # engineer fields, already converted (see `engineer`)
    projects: tuple[ProjectSpec, ...]
    events: tuple[Event, ...]
    # legal entities (optional): engineer fields plus "members" (engineer ids), see
    # docs/scenario-firms.md; a firm id is used wherever an engineer id may be.
    firms: tuple[dict[str, Any], ...] = ()


def _keys(obj: Any, where: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise ScenarioError(f"{where}: یک شیء JSON ({{…}}) لازم است")
    unknown = set(obj) - allowed
    if unknown:
        raise ScenarioError(f"{where}: کلید ناشناخته {sorted(unknown)[0]!r}")
    missing = required - set(obj)
    if missing:
        raise ScenarioError(f"{where}: کلید {sorted(missing)[0]!r} نیامده است")
    return obj


def _in_calendar(d: date, where: str) -> None:
    """The office's calendar (its policy tables, holidays, deadlines) spans 1358–1500 only."""
    if not day_ok(d):
        first, last = format_jalali_date(FIRST_DAY), format_jalali_date(LAST_DAY)
        raise ScenarioError(f"{where}: بیرون از تقویم دفتر ({first} تا {last})")


# the replay format's own forms, two digits for a month, a day, an hour and a minute
_STRICT_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
_STRICT_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _time(v: Any, where: str) -> datetime:
    if not isinstance(v, str) or not _STRICT_TIME.fullmatch(v):
        raise ScenarioError(
            f"{where}: زمان به شکل YYYY-MM-DD HH:MM (شمسی) لازم است: {str(v)[:40]!r}"
        )
    try:
        at = parse_jalali_datetime(v)
    except CalendarError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    _in_calendar(local_date(at), where)
    return at


def _date(v: Any, where: str) -> date:
    if not isinstance(v, str) or not _STRICT_DATE.fullmatch(v):
        raise ScenarioError(f"{where}: تاریخ به شکل YYYY-MM-DD (شمسی) لازم است: {str(v)[:40]!r}")
    try:
        d = parse_jalali_date(v)
    except CalendarError as exc:
        raise ScenarioError(f"{where}: {exc}") from None
    _in_calendar(d, where)
    return d


def _optional(obj: dict[str, Any], key: str) -> bool:
    """The optional key is given (null counts as absent): a falsy value of another type (0,
    false, {}, [] or "") is checked, never taken for "none"."""
    return obj.get(key) is not None


def _bool(v: Any, where: str) -> bool:
    if not isinstance(v, bool):
        raise ScenarioError(f"{where}: true یا false لازم است")
    return v


# What the office's columns hold: whole numbers below 10⁹ (floors, degrees, years are checked
# tighter), areas and scores below 10¹² with two decimals. Beyond them a value is a mistake.
MAX_WHOLE = 10**9
MAX_AMOUNT = Decimal(10) ** 12


def _int(v: Any, where: str, minimum: int | None = None, maximum: int = MAX_WHOLE) -> int:
    if (
        isinstance(v, bool)
        or not isinstance(v, int)
        or (minimum is not None and v < minimum)
        or v > maximum
    ):
        low = "" if minimum is None else f"از {minimum} "
        raise ScenarioError(f"{where}: عدد صحیح {low}تا {maximum} لازم است")
    return v


def _num(v: Any, where: str, minimum: Decimal | None = Decimal(0)) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
        raise ScenarioError(f"{where}: عدد لازم است")
    if isinstance(v, int) and abs(v) >= MAX_AMOUNT:
        raise ScenarioError(f"{where}: بیرون از بازه (کمتر از 10^12 لازم است)")
    d = Decimal(str(v))
    if not d.is_finite() or abs(d) >= MAX_AMOUNT:
        raise ScenarioError(f"{where}: بیرون از بازه (کمتر از 10^12 لازم است)")
    if minimum is not None and d < minimum:
        raise ScenarioError(f"{where}: منفی نباید باشد")
    if d != d.quantize(Decimal("0.01")):
        raise ScenarioError(f"{where}: حداکثر دو رقم اعشار")
    return d


def _str(v: Any, where: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ScenarioError(f"{where}: متن ناتهی لازم است")
    return v.strip()


def _list(v: Any, where: str) -> list[Any]:
    if not isinstance(v, list):
        raise ScenarioError(f"{where}: فهرست ([…]) لازم است")
    return v


def _numbers(v: Any) -> Iterator[Decimal]:
    """Every number inside a policy value as `Policy` holds it (tables, pairs, maps)."""
    if isinstance(v, Decimal | int) and not isinstance(v, bool):
        yield Decimal(v)
    elif isinstance(v, dict):
        for x in v.values():
            yield from _numbers(x)
    elif isinstance(v, tuple | frozenset):
        for x in v:
            yield from _numbers(x)


def _policy(raw: Any) -> tuple[dict[str, Any], Policy]:
    """The overrides and the policy they make. Each is checked with the defaults for the rest:
    the domain's own checks, then every number in it finite, ≥ 0 and below 10^12 (a factor of
    1e300 or "NaN" would only fail later, in the middle of a deadline run)."""
    if not isinstance(raw, dict):
        raise ScenarioError("policy: یک شیء JSON ({…}) لازم است")
    unknown = set(raw) - set(POLICY_KEYS)
    if unknown:
        raise ScenarioError(f"policy: کلید ناشناخته {sorted(unknown)[0]!r}")
    defaults = {k: row["value"] for k, row in policy_defaults().items()}
    for key in sorted(raw):
        try:
            value = getattr(Policy.from_mapping({**defaults, key: raw[key]}), key)
            bad = any(not n.is_finite() or n < 0 or n >= MAX_AMOUNT for n in _numbers(value))
        except PolicyError as exc:
            raise ScenarioError(f"policy.{key}: {str(exc).split(': ', 1)[-1]}") from None
        except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError):
            bad = True  # not the default's form, or "NaN" in a table (not even comparable)
        if bad:
            raise ScenarioError(
                f"policy.{key}: همان شکل مقدار پیش‌فرض، با عددهای نامنفی کمتر از 10^12، لازم است"
            )
    return raw, Policy.from_mapping({**defaults, **raw})


def _working_days(
    weekend: Iterable[str], holidays: tuple[date, ...], first: date, last: date
) -> None:
    """Every deadline needs a working day within a year (`WorkCalendar.next_working_day`):
    a weekend of seven days, or a year of holidays, leaves none."""
    cal, day = WorkCalendar.of(weekend, holidays), first
    try:
        while day <= last:
            day = cal.next_working_day(day)
    except CalendarError:
        where = "policy.weekend" if set(WEEKDAYS) <= set(cal.weekend) else "holidays"
        after = format_jalali_date(day)
        raise ScenarioError(f"{where}: در یک سال پس از {after} هیچ روز کاری نیست") from None


def _owner(o: Any, where: str) -> Owner:
    """An owner as the counter takes one: a national code of ten digits (any script) and a
    mobile number that passes the product's own check (`mobile_problem`)."""
    o = _keys(o, where, {"national_code", "mobile"}, {"national_code"})
    code = _str(o["national_code"], f"{where}.national_code")
    digits = normalize_code(code)
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise ScenarioError(f"{where}.national_code: کد ملی باید ده رقم باشد: {code!r}")
    mobile = _str(o["mobile"], f"{where}.mobile") if _optional(o, "mobile") else None
    why = mobile_problem(mobile) if mobile else None
    if why:
        raise ScenarioError(f"{where}.mobile: شماره همراه نامعتبر است: {why}")
    return Owner(code, mobile)


def _discipline(v: Any, where: str) -> str:
    if not isinstance(v, str) or v not in DISCIPLINES:
        raise ScenarioError(f"{where}: رشته ناشناخته {v!r}")
    return v


def engineer_fields(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """Scenario engineer keys → `EngineerIn` fields (also used by `update_engineer.set`)."""
    out: dict[str, Any] = {}
    for k, v in raw.items():
        w = f"{where}.{k}"
        if k == "id":
            continue
        if k == "national_code":
            code = None if v is None else _str(v, w)
            if code is not None and not re.fullmatch(r"\d{10,11}", normalize_digits(code)):
                raise ScenarioError(
                    f"{w}: کد ملی ده رقم است (شناسه ملی شخص حقوقی یازده رقم): {code[:40]!r}"
                )
            out["national_id"] = code
        elif k == "competencies":
            comps = []
            for i, c in enumerate(_list(v, w)):
                c = _keys(
                    c,
                    f"{w}[{i}]",
                    {"discipline", "grade", "kind", "expires"},
                    {"discipline", "grade"},
                )
                grade = c["grade"]
                if not isinstance(grade, str) or grade not in GRADES:
                    raise ScenarioError(f"{w}[{i}].grade: پایه ناشناخته {c['grade']!r}")
                kind = c.get("kind", "supervision")
                if kind not in ("supervision", "design", "execution"):
                    raise ScenarioError(f"{w}[{i}].kind: نوع صلاحیت ناشناخته {kind!r}")
                comps.append(
                    CompetenceIn(
                        _discipline(c["discipline"], f"{w}[{i}].discipline"),
                        grade,
                        kind,
                        _date(c["expires"], f"{w}[{i}].expires") if "expires" in c else None,
                    )
                )
            seen = [(c.discipline, c.kind) for c in comps]
            for i, key in enumerate(seen):
                if key in seen[:i]:  # one competence per discipline and kind (its grade)
                    raise ScenarioError(
                        f"{w}[{i}]: صلاحیت {key[1]} دوم در رشته {key[0]!r} "
                        "(در هر رشته یک صلاحیت: بالاترین پایه را بدهید)"
                    )
            out["competences"] = tuple(comps)
        elif k == "license_expires":
            out["licence_expires"] = None if v is None else _date(v, w)
        elif k == "membership_paid_through":
            out["membership_paid_through"] = _int(v, w, 1300, 1500)
        elif k in (
            "resident_in_province",
            "legal_incapacity",
            "active_execution_project",
            "design_build_qualified",
            "employed_by_permit_authority",
        ):
            out[k] = _bool(v, w)
        elif k == "convictions":
            convs = []
            for i, c in enumerate(_list(v, w)):
                c = _keys(c, f"{w}[{i}]", {"degree", "from", "until"}, {"degree", "from"})
                start = _date(c["from"], f"{w}[{i}].from")
                end = _date(c["until"], f"{w}[{i}].until") if _optional(c, "until") else None
                if end is not None and end < start:
                    raise ScenarioError(f"{w}[{i}]: until پیش از from است")
                convs.append(ConvictionIn(_int(c["degree"], f"{w}[{i}].degree", 1, 7), start, end))
            out["convictions"] = tuple(convs)
        elif k == "declaration":
            d = _keys(
                v,
                w,
                {"year", "ready", "rules_accepted", "groups", "supervision_percent"},
                {"year", "ready", "rules_accepted", "groups", "supervision_percent"},
            )
            groups = tuple(_list(d["groups"], f"{w}.groups"))
            if not all(isinstance(g, str) for g in groups) or not set(groups) <= set(GROUPS):
                raise ScenarioError(f"{w}.groups: گروه‌ها A، B، C و D هستند")
            pct = _num(d["supervision_percent"], f"{w}.supervision_percent")
            if pct > 100:
                raise ScenarioError(f"{w}.supervision_percent: حداکثر ۱۰۰")
            out["declaration"] = DeclarationIn(
                _int(d["year"], f"{w}.year", 1300, 1500),
                _bool(d["ready"], f"{w}.ready"),
                _bool(d["rules_accepted"], f"{w}.rules_accepted"),
                groups,
                pct,
            )
        elif k == "base_score":
            out["base_score"] = _num(v, w, minimum=None)
        elif k == "jobs":
            jobs = []
            for i, j in enumerate(_list(v, w)):
                j = _keys(j, f"{w}[{i}]", {"kind", "area"}, set())
                kind = j.get("kind", "supervision")
                if kind not in ("supervision", "design"):
                    raise ScenarioError(f"{w}[{i}].kind: supervision یا design لازم است")
                jobs.append(JobIn(kind, _num(j.get("area", 0), f"{w}[{i}].area")))
            out["jobs"] = tuple(jobs)
        elif k == "financial_ties":
            out["financial_ties"] = tuple(_str(c, f"{w}[{i}]") for i, c in enumerate(_list(v, w)))
        else:
            raise ScenarioError(f"{w}: کلید ناشناخته")
    return out


# JSON may escape half of a UTF-16 pair ("\ud800"): Python decodes it to a lone surrogate,
# which is no character, so neither the database nor the printed result can hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(v: Any, where: str = "scenario") -> None:
    if isinstance(v, str):
        if _SURROGATE.search(v):
            raise ScenarioError(f"{where}: نویسه جانشین تنها (\\ud800–\\udfff) متن نیست")
    elif isinstance(v, dict):
        for k, x in v.items():
            if _SURROGATE.search(k):
                raise ScenarioError(f"{where}: کلیدی با نویسه جانشین تنها (\\ud800–\\udfff)")
            _no_surrogates(x, k if where == "scenario" else f"{where}.{k}")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            _no_surrogates(x, f"{where}[{i}]")


def _national_codes(
    engineers: list[dict[str, Any]], firms: list[dict[str, Any]], events: list[Event]
) -> None:
    """A national code (or a firm's national ID) belongs to one engineer at a time: checked
    here, as the replay applies `update_engineer` (time order, then file order), so that the
    database's unique index never has to refuse one."""
    holder: dict[str, str] = {}  # normalised code → engineer id
    code_of: dict[str, str] = {}  # engineer id → normalised code

    def take(eid: str, code: str | None, where: str) -> None:
        code = normalize_code(code) if code else None
        if code and holder.get(code, eid) != eid:
            raise ScenarioError(f"{where}: این کد ملی از آنِ {holder[code][:40]!r} است")
        holder.pop(code_of.pop(eid, ""), None)
        if code:
            holder[code], code_of[eid] = eid, code

    for kind, group in (("engineers", engineers), ("firms", firms)):
        for i, e in enumerate(group):
            take(e["id"], e.get("national_id"), f"{kind}[{i}].national_code")
    for ev in sorted(events, key=lambda ev: (ev.at, ev.index)):
        if ev.type == "update_engineer" and "national_id" in ev.data["set"]:
            where = f"events[{ev.index}].set.national_code"
            take(ev.data["engineer"], ev.data["set"]["national_id"], where)


def _no_constant(name: str) -> Any:
    raise ScenarioError(f"JSON نامعتبر: {name} عدد نیست")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 18:
        raise ScenarioError(f"JSON نامعتبر: عدد {text[:20]}… بیش از اندازه بزرگ است")
    return int(text)


def _depth_ok(text: str, limit: int = 64) -> bool:
    """JSON nested deeper than any scenario needs (the decoder would recurse to a crash)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def parse_bytes(data: bytes) -> Scenario:
    """A scenario file as read from disk: UTF-8 (a BOM allowed), else ScenarioError."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"متن UTF-8 نیست (بایت {exc.start})") from None
    return parse(text)


def parse(text: str) -> Scenario:
    """A scenario, or ScenarioError naming the field; a value of a type no check expected
    (a list where a name goes) is still one line, never a traceback."""
    try:
        return _parse(text)
    except (TypeError, AttributeError, KeyError) as exc:
        raise ScenarioError(f"مقداری از نوع نابجا ({type(exc).__name__}: {exc})") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key given twice in one object is an error, not the last one silently winning."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ScenarioError(f"JSON نامعتبر: کلید «{k[:60]}» در یک شیء دو بار آمده است")
        out[k] = v
    return out


def _parse(text: str) -> Scenario:
    if not _depth_ok(text):
        raise ScenarioError("JSON نامعتبر: تودرتوتر از ۶۴ سطح")
    try:
        raw = json.loads(
            text,
            parse_constant=_no_constant,
            parse_int=_bounded_int,
            object_pairs_hook=_no_duplicates,
        )
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"JSON نامعتبر: {exc.msg}، سطر {exc.lineno}") from None
    except RecursionError:
        raise ScenarioError("JSON نامعتبر: بیش از اندازه تودرتو") from None
    _no_surrogates(raw)
    raw = _keys(
        raw,
        "scenario",
        {
            "format",
            "start",
            "until",
            "policy",
            "holidays",
            "engineers",
            "firms",
            "projects",
            "events",
        },
        {"format", "start", "until"},
    )
    if raw["format"] != FORMAT_IN:
        raise ScenarioError(f"format: قالب ناشناخته {raw['format']!r} ({FORMAT_IN!r} لازم است)")
    start, until = _time(raw["start"], "start"), _time(raw["until"], "until")
    if until < start:
        raise ScenarioError("until: پیش از start است")
    policy, in_force = _policy(raw.get("policy", {}))
    holidays = tuple(
        _date(h, f"holidays[{i}]") for i, h in enumerate(_list(raw.get("holidays", []), "holidays"))
    )

    engineers, seen = [], set()
    for i, e in enumerate(_list(raw.get("engineers", []), "engineers")):
        w = f"engineers[{i}]"
        e = _keys(e, w, ENGINEER_KEYS, ENGINEER_REQUIRED)
        eid = _str(e["id"], f"{w}.id")
        if eid in seen:
            raise ScenarioError(f"{w}.id: شناسه مهندس تکراری {eid!r}")
        seen.add(eid)
        engineers.append({"id": eid, **engineer_fields(e, w)})
    persons = set(seen)

    firms = []
    for i, f in enumerate(_list(raw.get("firms", []), "firms")):
        w = f"firms[{i}]"
        f = _keys(f, w, FIRM_KEYS, FIRM_REQUIRED)
        fid = _str(f["id"], f"{w}.id")
        if fid in seen:
            raise ScenarioError(f"{w}.id: شناسه مهندس یا شرکت تکراری {fid!r}")
        seen.add(fid)
        members = [_str(m, f"{w}.members[{j}]") for j, m in enumerate(_list(f["members"], w))]
        if not members or len(set(members)) != len(members):
            raise ScenarioError(f"{w}.members: یک یا چند شناسه مهندس ناتکراری لازم است")
        for j, m in enumerate(members):
            if m not in persons:
                raise ScenarioError(f"{w}.members[{j}]: شناسه مهندس ناشناخته {m!r}")
        rest = {k: v for k, v in f.items() if k != "members"}
        firms.append({"id": fid, "members": tuple(members), **engineer_fields(rest, w)})

    projects, pids = [], set()
    for i, p in enumerate(_list(raw.get("projects", []), "projects")):
        w = f"projects[{i}]"
        p = _keys(p, w, PROJECT_KEYS, PROJECT_REQUIRED)
        pid = _str(p["id"], f"{w}.id")
        if pid in pids:
            raise ScenarioError(f"{w}.id: شناسه پروژه تکراری {pid!r}")
        pids.add(pid)
        area = _num(p["area"], f"{w}.area")
        if area == 0:
            raise ScenarioError(f"{w}.area: باید بیش از صفر باشد")
        owners = [
            _owner(o, f"{w}.owners[{j}]")
            for j, o in enumerate(_list(p.get("owners", []), f"{w}.owners"))
        ]
        codes = [normalize_code(o.national_code) for o in owners]
        for j, code in enumerate(codes):
            if code in codes[:j]:  # one owner, one share: the database holds each once
                first = codes.index(code)
                raise ScenarioError(f"{w}.owners[{j}]: همان مالک {w}.owners[{first}] است")
        discs = tuple(
            _discipline(d, f"{w}.disciplines[{j}]")
            for j, d in enumerate(_list(p["disciplines"], f"{w}.disciplines"))
        )
        if not discs or len(set(discs)) != len(discs):
            raise ScenarioError(f"{w}.disciplines: یک یا چند رشته ناتکراری لازم است")
        projects.append(
            ProjectSpec(
                pid,
                _str(p["file_no"], f"{w}.file_no") if "file_no" in p else None,
                _str(p.get("plate", f"scenario/{pid}"), f"{w}.plate"),
                tuple(owners),
                area,
                _int(p["floors"], f"{w}.floors", 1, 200),
                discs,
                _time(p["ready_at"], f"{w}.ready_at") if _optional(p, "ready_at") else None,
            )
        )

    first = min([start, *(p.ready_at for p in projects if p.ready_at)])
    _working_days(in_force.weekend, holidays, local_date(first), local_date(until))

    events = []
    for i, ev in enumerate(_list(raw.get("events", []), "events")):
        w = f"events[{i}]"
        if (
            not isinstance(ev, dict)
            or not isinstance(ev.get("type"), str)
            or (ev["type"] not in EVENT_TYPES)
        ):
            raise ScenarioError(
                f"{w}.type: نوع رویداد ناشناخته {ev.get('type') if isinstance(ev, dict) else ev!r}"
            )
        need = EVENT_TYPES[ev["type"]]
        ev = _keys(
            ev,
            w,
            need | {"at", "type"} | EVENT_OPTIONAL.get(ev["type"], set()),
            need | {"at", "type"},
        )
        at = _time(ev["at"], f"{w}.at")
        if not start <= at <= until:
            raise ScenarioError(f"{w}.at: بیرون از بازه start تا until")
        if "engineer" in need and (
            not isinstance(ev["engineer"], str) or ev["engineer"] not in seen
        ):
            raise ScenarioError(f"{w}.engineer: شناسه مهندس ناشناخته {ev['engineer']!r}")
        if "project" in need and (not isinstance(ev["project"], str) or ev["project"] not in pids):
            raise ScenarioError(f"{w}.project: شناسه پروژه ناشناخته {ev['project']!r}")
        data = dict(ev)
        for key in EVENT_OPTIONAL.get(ev["type"], set()) & set(ev):
            why = (
                text_problem(ev[key], EVENT_TEXT_MAX)
                if isinstance(ev[key], str)
                else "متن لازم است"
            )
            if why:
                raise ScenarioError(f"{w}.{key}: {why}")
        if "discipline" in need:
            _discipline(ev["discipline"], f"{w}.discipline")
        if ev["type"] == "pay_membership":
            _int(ev["year"], f"{w}.year", 1300, 1500)
        if ev["type"] == "update_engineer":
            s = ev["set"]
            if not isinstance(s, dict) or not s:
                raise ScenarioError(f"{w}.set: یک شیء JSON ناتهی لازم است")
            if "id" in s:
                raise ScenarioError(f"{w}.set.id: شناسه را نمی‌توان تغییر داد")
            _keys(s, f"{w}.set", ENGINEER_KEYS - {"id"}, set())
            data["set"] = engineer_fields(s, f"{w}.set")
        events.append(Event(i, at, ev["type"], data))
    _national_codes(engineers, firms, events)
    return Scenario(
        start,
        until,
        policy,
        holidays,
        tuple(engineers),
        tuple(projects),
        tuple(events),
        tuple(firms),
    )
