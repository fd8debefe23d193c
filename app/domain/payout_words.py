"""F3/F4 in words: how a stage payout comes from the fee, step by step, so that what finance
reads adds up as written — fee → the organization's share → the supervisor's share → the
stage's percent → the amount (one copy for the desk, the web and the papers)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .text import persian_digits


def rials(n: int) -> str:
    return f"{persian_digits(f'{n:,}'.replace(',', '٬'))} ریال"


def _percent(p: Fraction) -> str:
    d = Decimal(p.numerator) / Decimal(p.denominator) * 100
    d = d.quantize(Decimal("0.01")).normalize()
    return persian_digits(f"{d:f}").replace(".", "٫") + "٪"


def payout_steps(
    fee: int, org_share: Decimal | str, percent: int, amount: int
) -> tuple[tuple[str, str], ...]:
    """(label, value) lines: the fee; the organization's share (its percent and rials); the
    supervisor's share; the stage's percent of it; the amount, rounded down to a rial as the
    split rounds it (the remainder goes to the organization, F4)."""
    share = Fraction(Decimal(str(org_share)))
    org = Fraction(fee) * share
    supervisor = Fraction(fee) - org
    steps = [
        ("حق‌الزحمه رشته", rials(fee)),
        (f"سهم سازمان ({_percent(share)})", f"− {rials(int(org))}" + ("…" if org % 1 else "")),
        ("سهم ناظر", rials(int(supervisor)) + ("…" if supervisor % 1 else "")),
        (f"این مرحله: {persian_digits(percent)}٪ سهم ناظر", rials(amount)),
    ]
    return tuple(steps)


def payout_sentence(fee: int, org_share: Decimal | str, percent: int, amount: int) -> str:
    """One line that adds up as written: `fee − org share = supervisor share; × percent =
    amount`."""
    (_, f), (org_label, org), (_, sup), (_, amt) = payout_steps(fee, org_share, percent, amount)
    return f"{f} {org} ({org_label}) = {sup} سهم ناظر؛ × {persian_digits(percent)}٪ = {amt}"
