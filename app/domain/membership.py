"""F5: yearly membership renewal, oldest year first; G3 reads the result."""

from __future__ import annotations


def paid_through(member_since: int, paid_years: set[int]) -> int | None:
    """The last year Y such that every year from `member_since` to Y is paid (None: none)."""
    y = member_since
    while y in paid_years:
        y += 1
    return y - 1 if y > member_since else None


def renewal_failures(
    year: int, member_since: int, paid_years: set[int], data_complete: bool
) -> set[str]:
    """F5: data complete first; a year before membership began, a year already paid, or one
    with an earlier year owed, is refused."""
    if not data_complete or year < member_since or year in paid_years:
        return {"F5"}
    owed = [y for y in range(member_since, year) if y not in paid_years]
    return {"F5"} if owed else set()
