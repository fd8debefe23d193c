"""نتایج ارجاع نظارت — the public daily sheet of one deadline run (A10)."""

from __future__ import annotations

from app.domain.rules_fa import RULE_TEXT_FA
from app.services.document_dto import DailyReportDTO, DecisionBlock

from .common import OUTCOME_FA, discipline_fa, grade_fa, group_fa, jdate, jdatetime_fa
from .layout import Column, Page
from .rtl import fa_area, fa_digits, fa_number


def daily_report_pdf(dto: DailyReportDTO) -> bytes:
    p = Page(
        f"نتایج ارجاع نظارت {jdate(dto.deadline)}",
        footer=f"اجرای شماره {fa_digits(dto.run_id)} — چکیده ورودی‌ها: {dto.input_digest}",
    )
    write_daily(p, dto)
    return p.bytes()


def outcome_text(b: DecisionBlock) -> str:
    text = OUTCOME_FA.get(b.outcome, b.outcome)
    if b.outcome == "extended" and b.next_deadline is not None:
        text = f"تمدید مهلت تا {jdatetime_fa(b.next_deadline)}"
    if b.winner is not None:
        w = b.winner
        num = f" ({fa_digits(w.membership_no)})" if w.membership_no else ""
        text += f" — ناظر: {w.name}{num}"
    if b.outcome == "unassigned" and b.exclusions:
        why = "، ".join(f"{r}: {fa_digits(n)}" for r, n in sorted(b.exclusions.items()))
        text += f" — کنارگذاشته‌ها به تفکیک قاعده: {why}"
    return text


def write_daily(p: Page, dto: DailyReportDTO) -> None:
    top = p.y
    centre = {"align": "center", "x_left": 0, "x_right": p.width}
    p.text(dto.organization.name, top - 12, 12, bold=True, **centre)
    p.text(f"نتایج ارجاع نظارت — مهلت {jdatetime_fa(dto.deadline)}", top - 34, 14, True, **centre)
    p.text(
        f"{fa_digits(dto.decided)} ارجاع در این مهلت تصمیم‌گیری شد؛ "
        f"پایان اجرا {jdatetime_fa(dto.finished_at)}",
        top - 50,
        8.5,
        **centre,
    )
    p.y = top - 58
    p.rule(3)
    for b in dto.blocks:
        p.ensure(110)
        p.para(
            f"پرونده {fa_digits(b.file_no)} — {discipline_fa(b.discipline)} — "
            f"گروه {group_fa(b.group)} — {fa_area(b.area_m2)} مترمربع — "
            f"دور {fa_digits(b.round_no)} ({'اجباری' if b.round_kind == 'forced' else 'رقابتی'})",
            bold=True,
            size=9.5,
            after=0,
        )
        p.para(f"نتیجه: {outcome_text(b)}", size=9)
        if b.ranked:
            p.table(
                [
                    Column("رتبه", 0.5, "center"),
                    Column("شماره عضویت", 1.1, "center"),
                    Column("نام", 2),
                    Column("پایه", 0.8, "center"),
                    Column("امتیاز هنگام تصمیم", 1.1, "center"),
                    Column("نتیجه", 0.9, "center"),
                ],
                [
                    [
                        fa_digits(x.rank),
                        fa_digits(x.membership_no),
                        x.name,
                        grade_fa(x.grade),
                        fa_number(x.score, decimals=2),
                        "منتخب" if x.winner else "",
                    ]
                    for x in b.ranked
                ],
                size=8,
                shade_rows=frozenset(i for i, x in enumerate(b.ranked) if x.winner),
            )
        if b.set_aside:
            p.para("کنارگذاشته به حکم قواعد:", size=8.5, bold=True, after=0)
            p.table(
                [
                    Column("شماره عضویت", 1.1, "center"),
                    Column("نام", 1.6),
                    Column("قاعده", 0.7, "center"),
                    Column("دلیل کنارگذاشتن", 4),
                ],
                [
                    [
                        fa_digits(x.membership_no),
                        x.name,
                        " و ".join(x.rules),
                        "؛ ".join(RULE_TEXT_FA.get(r, r) for r in x.rules),
                    ]
                    for x in b.set_aside
                ],
                size=8,
            )
        p.space(4)
    p.rule(3)
    p.para(
        "هر کس می‌تواند این تصمیم‌ها را با داده‌های ورودی ثبت‌شده دوباره محاسبه و با چکیده‌های زیر "
        "مقایسه کند (قاعده A10).",
        size=8.5,
    )
    p.line(f"چکیده ورودی‌ها: {dto.input_digest}", size=8)
    p.line(f"چکیده خروجی‌ها: {dto.output_digest}", size=8)
