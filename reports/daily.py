"""نتایج ارجاع نظارت — the public sheet of one deadline run (A10).

The referrals in the order the run decided them (A3), each with its sequence number; the
candidates ranked as the decision saw them, with A2's tie-break figures (free capacity, jobs in
progress, time of candidacy), so a tie can be checked from the paper; the set-aside candidates
with the guideline's clause that removed them; the outcome as decided, and what happened later
as dated notes; where members get the run's inputs to decide it again, and its digests.
"""

from __future__ import annotations

from app.domain.rules_fa import RULE_TEXT_FA, clause_fa, guideline_fa
from app.services.document_dto import DailyReportDTO, DecisionBlock, PaperStamp

from .common import (
    NBSP,
    OUTCOME_FA,
    discipline_fa,
    grade_fa,
    group_fa,
    heading,
    jdatetime_fa,
    stamp_number,
    start,
    verification_height,
    verification_note,
)
from .layout import Column, Page
from .rtl import fa_area, fa_digits, fa_number

RANK_COLUMNS = (
    Column("رتبه", 0.45, "center"),
    Column("شماره عضویت", 1.0, "center"),
    Column("نام", 1.55),
    Column("پایه", 0.7, "center"),
    Column("امتیاز", 0.8, "center"),
    Column("ظرفیت آزاد (مترمربع)", 1.1, "center"),
    Column("کار در جریان", 0.7, "center"),
    # wide enough for «۱۴۰۵/۱۲/۲۸ ساعت ۲۳:۵۹» on one line (7.5 pt; it is one word to the wrapper)
    Column("زمان کاندیداتوری", 1.5, "center"),
    Column("نتیجه", 0.7, "center"),
)
ASIDE_COLUMNS = (
    Column("شماره عضویت", 1.0, "center"),
    Column("نام", 1.5),
    Column("دلیل کنارگذاشتن", 3.6),
    Column("بند شیوه‌نامه", 1.3, "center"),
)


def daily_report_pdf(dto: DailyReportDTO, stamp: PaperStamp | None = None) -> bytes:
    p = Page(f"نتایج ارجاع نظارت {jdatetime_fa(dto.deadline)}")
    write_daily(p, dto, stamp)
    return p.bytes()


def outcome_text(b: DecisionBlock) -> str:
    text = OUTCOME_FA.get(b.outcome, b.outcome)
    if b.outcome == "extended" and b.next_deadline is not None:
        text = f"تمدید مهلت تا {jdatetime_fa(b.next_deadline)}"
    if b.winner is not None:
        w = b.winner
        num = f" (شماره عضویت {fa_digits(w.membership_no)})" if w.membership_no else ""
        text += f" — ناظر: {w.name}{num}"
    if b.outcome == "unassigned" and b.exclusions:
        why = "؛ ".join(
            f"{RULE_TEXT_FA.get(r, r)} ({clause_fa(r)}): {fa_digits(n)} نفر"
            for r, n in sorted(b.exclusions.items())
        )
        text += f" — کنارگذاشته‌ها: {why}"
    return text


def block_title(b: DecisionBlock) -> str:
    if b.round_kind == "forced":
        kind = "ارجاع اجباری"
    elif b.outcome == "forced":  # A: nobody stood after the extensions
        kind = "رقابتی بی‌داوطلب؛ ارجاع اجباری"
    else:
        kind = "رقابتی"
    # one unit to the line breaker (no-break spaces): never «ورود به / توزیع» or a lone date
    entered = (
        " — " + NBSP.join(("ورود", "به", "توزیع", jdatetime_fa(b.entered_at)))
        if b.entered_at
        else ""
    )
    return (
        f"تصمیم {fa_digits(b.seq)} — پرونده {fa_digits(b.file_no)} — "
        f"{discipline_fa(b.discipline)} — گروه {group_fa(b.group)} — "
        f"{fa_area(b.area_m2)} مترمربع — دور {fa_digits(b.round_no)} ({kind}){entered}"
    )


FORCED_SHOWN = 10  # the lowest scores of a forced pool printed; the rest at the inputs' page


def _rank_rows(b: DecisionBlock) -> list[list[str]]:
    ranked = b.ranked[:FORCED_SHOWN] if b.outcome == "forced" else b.ranked
    return [
        [
            fa_digits(x.rank),
            fa_digits(x.membership_no),
            x.name,
            grade_fa(x.grade, "firm" if x.firm else "person"),
            fa_number(x.score, decimals=2, fixed=True),
            fa_area(x.remaining_m2, fixed=True) if x.remaining_m2 is not None else "",
            fa_digits(x.active_jobs) if x.active_jobs is not None else "",
            jdatetime_fa(x.stood_at) if x.stood_at else "بدون کاندیداتوری",
            "منتخب" if x.winner else "",
        ]
        for x in ranked
    ]


def write_block(p: Page, b: DecisionBlock, inputs_url: str = "", keep_next: float = 0) -> None:
    """One decision; `keep_next` points of what follows it (the sheet's closing block) stay
    with its last rows or notes."""
    title = block_title(b)
    rows = _rank_rows(b)
    # the block's title, outcome and first rows stay together
    first = p.table_height(RANK_COLUMNS, rows[:3], size=7.5) if rows else 0
    p.keep(p.para_height(title, 9.5, True) + 36 + first)
    p.para(title, bold=True, size=9.5, after=0, justify=False)
    p.running = lambda pg: pg.para(f"ادامه {title}", bold=True, size=8, after=1)
    p.para(f"نتیجه: {outcome_text(b)}", size=9)
    if rows:
        label = (
            "فهرست اجباری (کمترین امتیاز انتخاب می‌شود):"
            if b.outcome == "forced"
            else "نامزدها به ترتیب رتبه هنگام تصمیم:"
        )
        p.para(label, size=8.5, bold=True, after=0)
        more = (
            f"و {fa_digits(len(b.ranked) - len(rows))} نفر دیگر از فهرست اجباری با امتیاز "
            f"بالاتر؛ فهرست کامل در نشانی {inputs_url}"
            if len(rows) < len(b.ranked)
            else ""
        )
        last = not b.set_aside and not b.later
        p.table(
            RANK_COLUMNS,
            rows,
            size=7.5,
            shade_rows=frozenset(i for i, x in enumerate(b.ranked[: len(rows)]) if x.winner),
            keep_next=(p.para_height(more, 8) if more else 0) + (keep_next if last else 0),
        )
        if more:
            p.para(more, size=8)
    if b.set_aside:
        aside = [
            [
                fa_digits(x.membership_no),
                x.name,
                "؛ ".join(RULE_TEXT_FA.get(r, r) for r in x.rules),
                "؛ ".join(dict.fromkeys(clause_fa(r) for r in x.rules)),
            ]
            for x in b.set_aside
        ]
        p.keep(p.table_height(ASIDE_COLUMNS, aside[:2], size=7.5) + 16)
        p.para("کنارگذاشته به حکم ضوابط ارجاع:", size=8.5, bold=True, after=0)
        p.table(ASIDE_COLUMNS, aside, size=7.5, keep_next=0 if b.later else keep_next)
    if b.later:
        notes = sum(p.para_height(f"{jdatetime_fa(e.at)} — {e.text}", 8, indent=8) for e in b.later)
        if notes + keep_next + p.para_height("x", 8.5) < p.top - p.bottom - 60:
            p.keep(p.para_height("x", 8.5) + notes + keep_next)
        else:
            p.keep(p.para_height("x", 8.5) * (1 + min(2, len(b.later))) + 4)
        p.para("پس از این تصمیم (یادداشت‌های تاریخ‌دار):", size=8.5, bold=True, after=0)
        for e in b.later:
            p.para(f"{jdatetime_fa(e.at)} — {fa_digits(e.text)}", size=8, indent=8, after=0)
    p.running = None
    p.space(6)


def tail_text(dto: DailyReportDTO) -> str:
    """Where the run's lists are published and how to check them against the output digest
    (its inputs hold personal data: re-checked at the office); the note on the «بند شیوه‌نامه» column
    only when the sheet has such a column (a decision with set-aside candidates)."""
    clauses = (
        f"بندهای ستون «بند شیوه‌نامه» از {guideline_fa(dto.organization.name)} است. "
        if any(b.set_aside for b in dto.blocks)
        else ""
    )
    return (
        f"{clauses}فهرست‌های رتبه‌بندی و تصمیم‌های این اجرا در نشانی {dto.inputs_url} برای "
        "همه منتشر شده است؛ چکیده (SHA-256) پرونده تصمیم‌های آنجا باید با «چکیده خروجی‌ها» "
        "زیر یکی باشد. ورودی‌های اجرا، که اطلاعات شخصی مهندسان را دارد، در سازمان نگه داشته "
        "می‌شود و بازبینی تصمیم‌ها از روی آنها در سازمان انجام می‌شود."
    )


def write_daily(p: Page, dto: DailyReportDTO, stamp: PaperStamp | None = None) -> None:
    org = dto.organization
    start(p, org, "نتایج ارجاع", stamp)
    heading(
        p,
        org,
        f"نتایج ارجاع نظارت — مهلت {jdatetime_fa(dto.deadline)}",
        [
            ("شماره", stamp_number(stamp)),
            ("اجرای شماره", fa_digits(dto.run_id)),
            ("پایان اجرا", jdatetime_fa(dto.finished_at)),
            ("تصمیم‌ها", fa_digits(dto.decided)),
        ],
        stamp,
        bismillah=False,
    )
    p.para(
        "ارجاع‌ها به همان ترتیبی آمده‌اند که اجرا درباره آنها تصمیم گرفت: به ترتیب ورود پرونده به "
        "توزیع، شماره پرونده و ترتیب رشته‌ها؛ اثر هر تصمیم (کسر ظرفیت و امتیاز منتخب) پیش از "
        "تصمیم بعدی اعمال شده است، پس امتیاز، ظرفیت آزاد و کار در جریان هر نامزد همان است که "
        "هنگام تصمیم درباره همان ارجاع بود. برابری امتیاز در ارجاع رقابتی به ترتیب با ظرفیت "
        "آزاد بیشتر، کار در جریان کمتر، کاندیداتوری زودتر و شماره عضویت کوچک‌تر شکسته می‌شود؛ "
        "در فهرست اجباری، که کاندیداتوری ندارد و کمترین امتیاز انتخاب می‌شود، با ظرفیت آزاد "
        "بیشتر، کار در جریان کمتر و شماره عضویت کوچک‌تر. رویدادهای بعدی "
        "(امضا، انصراف، دور بعد) جداگانه و با تاریخ خود آمده‌اند.",
        size=8.5,
    )
    tail = tail_text(dto)
    recheck = "بازبینی هنگام صدور: تصمیم‌ها از ورودی‌های ذخیره‌شده دوباره گرفته شد و " + (
        "با چکیده خروجی ثبت‌شده یکی است." if dto.rechecked else "با چکیده خروجی یکی نیست!"
    )
    # the closing block (note, digests, check line): kept with the last rows of the last
    # decision, never alone on the sheet's last page
    closing = (
        6
        + p.para_height(tail, 8.5)
        + (p.para_height(recheck, 8.5, not dto.rechecked) if dto.rechecked is not None else 0)
        + 2 * 7.5 * 1.6
        + verification_height(p, stamp)
    )
    for i, b in enumerate(dto.blocks):
        write_block(p, b, dto.inputs_url, closing if i == len(dto.blocks) - 1 else 0)
    p.keep(closing)
    p.rule(3)
    p.para(tail, size=8.5)
    if dto.rechecked is not None:
        p.para(recheck, size=8.5, bold=not dto.rechecked)
    p.line(f"چکیده ورودی‌ها: {dto.input_digest}", size=7.5)
    p.line(f"چکیده خروجی‌ها: {dto.output_digest}", size=7.5)
    verification_note(p, stamp)
