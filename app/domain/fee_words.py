"""F1 in words at the counter: what a discipline owes by the tariff, written so that it adds up
as read (billable area × rials per m², and the coordinator's fee with the coordinating
discipline's), and how an amount the clerk types stands against what is still owed (P2 waits
for the approved payments to cover it). One copy for the desk, the web and the papers."""

from __future__ import annotations

from decimal import Decimal

from .payout_words import rials
from .text import persian_digits


def area_fa(m2: Decimal | int) -> str:
    """`۴۵۰ م²`, `۲۵۰٫۵ م²`."""
    d = Decimal(m2)
    d = d.quantize(Decimal(1)) if d == d.to_integral() else d.normalize()
    return f"{persian_digits(f'{d:f}').replace('.', '٫')} م²"


def band_fa(band: str) -> str:
    """A tariff row's floor band: `3-5` → `۳ تا ۵ طبقه`, `16+` → `۱۶ طبقه و بیشتر`."""
    if not band:
        return ""
    if band.endswith("+"):
        return f"{persian_digits(band[:-1])} طبقه و بیشتر"
    first, _, last = band.partition("-")
    if not last or first == last:
        return f"{persian_digits(first)} طبقه"
    return f"{persian_digits(first)} تا {persian_digits(last)} طبقه"


def due_formula(
    billable_m2: Decimal,
    rials_per_m2: int | None,
    fee_rials: int | None,
    coordinator_per_m2: int | None = None,
    coordinator_rials: int = 0,
) -> str:
    """`۴۵۰ م² × ۱٬۲۸۹٬۰۰۰ ریال + هماهنگ‌کننده ۴۵۰ م² × ۱۴۱٬۰۰۰ ریال = ۶۴۳٬۵۰۰٬۰۰۰ ریال`;
    without the tariff's cell: that the table lacks it (F1)."""
    if rials_per_m2 is None or fee_rials is None:
        return "نرخ این رشته در جدول تعرفه نیست (F1)"
    area = area_fa(billable_m2)
    text = f"{area} × {rials(rials_per_m2)}"
    if coordinator_rials:
        per = rials(coordinator_per_m2) if coordinator_per_m2 is not None else "—"
        text += f" + هماهنگ‌کننده {area} × {per}"
    return f"{text} = {rials(fee_rials + coordinator_rials)}"


def amount_check(amount: int | None, due: int | None, recorded: int = 0) -> tuple[bool, str]:
    """(whether it is what is still owed, the words) for an amount typed at the counter for one
    discipline: `due` is F1's (its fee and, for the coordinating discipline, the coordinator's;
    None: the table lacks the cell), `recorded` what is already recorded for it (approved or
    waiting for finance). A different amount is not refused — an owner may pay in parts — but
    the clerk is told, plainly, by how much and what P2 then waits for."""
    if amount is None or amount <= 0:
        return False, ""
    typed = f"مبلغ واردشده {rials(amount)}"
    if due is None:
        return False, (
            f"{typed}؛ نرخ این رشته در جدول تعرفه نیست (F1)، پس مبلغ با تعرفه سنجیده نمی‌شود "
            "و تنها تأیید مالی پرداخت لازم است (P2)."
        )
    left = max(0, due - recorded)
    what = "مانده حق‌الزحمه" if recorded else "حق‌الزحمه"
    if left == 0:
        return False, (
            f"{typed}؛ حق‌الزحمه این رشته طبق تعرفه ({rials(due)}) با پرداخت‌های ثبت‌شده کامل "
            "است (F1)؛ این پرداخت اضافه است."
        )
    if amount == left:
        return True, f"{typed}؛ برابر {what} طبق تعرفه است (F1)."
    if amount < left:
        return False, (
            f"{typed}؛ {rials(left - amount)} کمتر از {what} طبق تعرفه ({rials(left)}) است "
            "(F1)؛ تا همه آن پرداخت و تأیید نشود، پرونده به توزیع نمی‌رود (P2)."
        )
    return False, (
        f"{typed}؛ {rials(amount - left)} بیش از {what} طبق تعرفه ({rials(left)}) است (F1)."
    )
