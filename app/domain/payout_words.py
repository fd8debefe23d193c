"""F3/F4 in words: how a stage payout comes from the fee, step by step, so that what finance
reads adds up as written — every line an exact sum, product or difference, the rounding a line
of its own:

    حق‌الزحمه رشته                       ۳۰۰٬۵۵۲٬۹۵۶ ریال
    سهم سازمان (۵٪)                      [۳۰۰٬۵۵۲٬۹۵۶ × ۵٪] = ۱۵٬۰۲۷٬۶۴۷٫۸ ریال
    سهم ناظر                             [۳۰۰٬۵۵۲٬۹۵۶ − ۱۵٬۰۲۷٬۶۴۷٫۸] = ۲۸۵٬۵۲۵٬۳۰۸٫۲ ریال
    این مرحله: ۵۰٪ سهم ناظر              [۲۸۵٬۵۲۵٬۳۰۸٫۲ × ۵۰٪] = ۱۴۲٬۷۶۲٬۶۵۴٫۱ ریال
    گرد به پایین تا ریال (F4)            ۱۴۲٬۷۶۲٬۶۵۴ ریال؛ ۰٫۱ ریال به سازمان

(in logical order; drawn right to left, each line reads from its label on the right)

With a coordinator's fee (F1) inside the fee, the fee is first split into the discipline's
part and the coordinator's, each split and rounded down on its own (`money.split_fee`), and
the stage is the sum of the two rounded parts. Each operation (`a × b`, `a − b`, `a + b`) is
isolated left to right, so a minus sign stays before its number in a right-to-left line; its
result follows it (`= c ریال`) in the right-to-left line, so read from the right the line says
"a − b = c rials", with «ریال» after the result it qualifies, never beside the first operand
(one copy for the desk, the web and the papers)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .text import persian_digits

# a left-to-right isolate around an expression, after a right-to-left mark (see fa.code)
LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"


def number(x: Fraction | int) -> str:
    """An exact amount: grouped Persian digits, with its decimals when not whole (the split's
    fractions of a rial are decimals: the share is a decimal percent)."""
    x = Fraction(x)
    whole = int(x)  # ≥ 0 here
    text = f"{whole:,}".replace(",", "٬")
    rest = x - whole
    if rest:
        d = (Decimal(rest.numerator) / Decimal(rest.denominator)).normalize()
        text += "٫" + f"{d:f}".split(".")[1]
    return persian_digits(text)


def rials(n: int | Fraction) -> str:
    return f"{number(n)} ریال"


def expr(text: str) -> str:
    """An arithmetic expression kept left to right inside Persian text."""
    return f"{RLM}{LRI}{text}{PDI}"


def equation(left: str, result: Fraction | int) -> str:
    """`[a op b] = c ریال`: the operation isolated left to right, then its result and the
    unit in the right-to-left line (read from the right: a op b = c rials)."""
    return f"{expr(left)} = {rials(result)}"


def _percent(p: Fraction) -> str:
    d = Decimal(p.numerator) / Decimal(p.denominator) * 100
    d = d.quantize(Decimal("0.01")).normalize()
    return persian_digits(f"{d:f}").replace(".", "٫") + "٪"


def _part(
    label: str, base: int, share: Fraction, percent: int
) -> tuple[list[tuple[str, str]], int]:
    """The lines of one part (the discipline's or the coordinator's) and its rounded stage."""
    org = Fraction(base) * share
    supervisor = base - org
    stage = supervisor * percent / 100
    floor = int(stage)
    pct = f"{persian_digits(percent)}٪"
    lines = [
        (
            f"سهم سازمان از {label} ({_percent(share)})",
            equation(f"{number(base)} × {_percent(share)}", org),
        ),
        (
            f"سهم ناظر از {label}",
            equation(f"{number(base)} − {number(org)}", supervisor),
        ),
        (
            f"این مرحله: {pct} سهم ناظر از {label}",
            equation(f"{number(supervisor)} × {pct}", stage),
        ),
    ]
    if stage != floor:
        lines.append(
            (
                "گرد به پایین تا ریال (F4)",
                f"{rials(floor)}؛ {expr(number(stage - floor))} ریال به سازمان می‌رسد",
            )
        )
    return lines, floor


def payout_steps(
    fee: int, org_share: Decimal | str, percent: int, amount: int, coordinator: int = 0
) -> tuple[tuple[str, str], ...]:
    """(label, value) lines, each adding up as written: the fee; (with a coordinator's fee,
    its split into the discipline's part and the coordinator's); for each part the
    organization's share, the supervisor's share (the part minus it), the stage's percent of
    it, and the rounding down to a rial (its remainder is the organization's, F4); with two
    parts, the stage as their sum. The last line is the amount."""
    share = Fraction(Decimal(str(org_share)))
    steps: list[tuple[str, str]] = [("حق‌الزحمه رشته", rials(fee))]
    if coordinator:
        discipline = fee - coordinator
        steps.append(
            (
                "بخش رشته و حق‌الزحمه هماهنگ‌کننده (F1)",
                equation(f"{number(fee)} − {number(coordinator)}", discipline),
            )
        )
        lines_d, a = _part("بخش رشته", discipline, share, percent)
        lines_c, b = _part("حق‌الزحمه هماهنگ‌کننده", coordinator, share, percent)
        steps += lines_d + lines_c
        total = a + b
        steps.append(("مبلغ این مرحله", equation(f"{number(a)} + {number(b)}", total)))
    else:
        lines, total = _part("حق‌الزحمه", fee, share, percent)
        steps += lines
        steps.append(("مبلغ این مرحله", rials(total)))
    if total != amount:  # a payout recorded under another rule: say what was recorded
        steps.append(("مبلغ ثبت‌شده", rials(amount)))
    return tuple(steps)


def payout_sentence(
    fee: int, org_share: Decimal | str, percent: int, amount: int, coordinator: int = 0
) -> str:
    """The steps in one line, each step adding up as written."""
    return "؛ ".join(
        f"{label}: {value}"
        for label, value in payout_steps(fee, org_share, percent, amount, coordinator)
    )
