"""Identifiers of the rulebook's vocabulary and their fixed orders (not policy)."""

from __future__ import annotations

# A3: discipline order within a project.
DISCIPLINES: tuple[str, ...] = ("arch", "civil", "mech", "elec", "survey", "urban", "traffic")
DISCIPLINE_ORDER = {d: i for i, d in enumerate(DISCIPLINES)}
DISCIPLINE_FA = {
    "arch": "معماری",
    "civil": "عمران",
    "mech": "تأسیسات مکانیکی",
    "elec": "تأسیسات برقی",
    "survey": "نقشه‌برداری",
    "urban": "شهرسازی",
    "traffic": "ترافیک",
}

GROUPS: tuple[str, ...] = ("A", "B", "C", "D")
GROUP_ORDER = {g: i for i, g in enumerate(GROUPS)}
GROUP_FA = {"A": "الف", "B": "ب", "C": "ج", "D": "د"}

# Grades in rising order.
GRADES: tuple[str, ...] = ("3", "2", "1", "senior")
GRADE_ORDER = {g: i for i, g in enumerate(GRADES)}
GRADE_FA = {"3": "پایه سه", "2": "پایه دو", "1": "پایه یک", "senior": "ارشد"}

COMPETENCE_KINDS = ("supervision", "design", "execution")
SUPERVISOR_KINDS = ("person", "firm")
# the desk's and the site's users (U1)
ROLES = ("admin", "clerk", "finance", "manager", "engineer")

# Referral lifecycle (scenario.md `status`).
WAITING, OPEN, SELECTED, SIGNED, COMPLETED, UNASSIGNED = (
    "waiting",
    "open",
    "selected",
    "signed",
    "completed",
    "unassigned",
)
REFERRAL_STATUSES = (WAITING, OPEN, SELECTED, SIGNED, COMPLETED, UNASSIGNED)

# Round kinds and outcomes.
CANDIDACY, FORCED = "candidacy", "forced"
OUTCOMES = ("selected", "extended", "forced", "unassigned", "withdrawn", "no_show")


def sort_rules(rules) -> list[str]:
    """Rule IDs sorted the way the scenario output lists them (string order)."""
    return sorted(set(rules))
