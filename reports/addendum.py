"""الحاقیه قرارداد نظارت — the addendum by which a supervisor chosen after the project's contract
was signed joins that contract (app/services/addenda.py).

It names the contract (number and date) it belongs to, the owners, the joining supervisor (a
firm with its identity), the supervisor it replaces and why (a written withdrawal or a no-show,
with the day), the discipline's fee line of the contract's article 3 in rials and in words, and
the coordinator when the joining supervisor is the coordinating one; one original for each
signer and a signature block for each: owners, the joining supervisors, the organization.
"""

from __future__ import annotations

from app.domain.rules_fa import join_fa
from app.services.document_dto import AddendumDTO, PaperStamp, ReplacedSupervisor

from .common import (
    INITIALS,
    REASON_FA,
    discipline_fa,
    heading,
    issued_on,
    jdate,
    stamp_number,
    start,
    verification_note,
)
from .contract import (
    disciplines_text,
    fee_table,
    signatures,
    write_articles,
    write_organization,
    write_owners,
    write_supervisors,
)
from .layout import Page
from .rtl import fa_digits, number_to_words, rials, rials_in_words


def _and(items: list[str]) -> str:
    return join_fa(items)


def _who(dto: AddendumDTO) -> str:
    return _and([f"{s.name} (شماره عضویت {fa_digits(s.membership_no)})" for s in dto.supervisors])


def _role(dto: AddendumDTO) -> str:
    return _and([f"ناظر {discipline_fa(s.discipline)}" for s in dto.supervisors])


def _named_in(r: ReplacedSupervisor) -> str:
    if r.named_in_seq:
        return f"الحاقیه شماره {fa_digits(r.named_in_seq)} ({fa_digits(r.named_in_number)})"
    return "قرارداد"


def _replacement(dto: AddendumDTO, r: ReplacedSupervisor) -> str:
    """One sentence per replaced supervisor: who takes his place, where he was named, why."""
    why = REASON_FA.get(r.reason, REASON_FA[""]).format(on=jdate(r.on))
    new = next((s for s in dto.supervisors if s.discipline == r.discipline), None)
    who = f"{new.name}، ناظر {discipline_fa(r.discipline)}،" if new else "ناظر این الحاقیه"
    return (
        f" {who} جایگزین {r.name} (شماره عضویت {fa_digits(r.membership_no)}) است که در "
        f"{_named_in(r)} نام برده شده بود و {why}."
    )


def addendum_values(dto: AddendumDTO, stamp: PaperStamp | None = None) -> dict[str, str]:
    """The placeholders of `resources/documents/addendum_fa.json`."""
    prop, org = dto.property, dto.organization
    one = len(dto.supervisors) == 1
    coord = next((s for s in dto.supervisors if s.coordinating), None)
    return {
        "joining": _who(dto),
        "role": _role(dto),
        "verb": "می‌پیوندد" if one else "می‌پیوندند",
        "about": (
            "ناظری که با این الحاقیه به قرارداد می‌پیوندد"
            if one
            else "ناظرانی که با این الحاقیه به قرارداد می‌پیوندند"
        ),
        "plate": fa_digits(prop.plate),
        "file_no": fa_digits(prop.file_no),
        "contract_no": fa_digits(dto.contract_number),
        "contract_date": jdate(dto.contract_issued_at),
        "replaces_clause": "".join(_replacement(dto, r) for r in dto.replaced),
        "disciplines": disciplines_text([f.discipline for f in dto.fees]),
        "fee": rials(dto.total_fee_rials),
        "fee_words": rials_in_words(dto.total_fee_rials),
        "coordinator_clause": (
            f" {coord.name} از تاریخ این الحاقیه ناظر هماهنگ‌کننده پروژه است و وظایف ناظر "
            "هماهنگ‌کننده در ماده ۴ قرارداد بر عهده اوست."
            if coord
            else ""
        ),
        "copies": number_to_words(dto.copies),
        "copy_holders": "؛ ".join(dto.copy_holders),
        "articles_count": number_to_words(len(dto.articles)),
        "check_site": f"{org.public_url}/verify",
        "addendum_date": issued_on(stamp) or "صدور",
    }


def addendum_pdf(dto: AddendumDTO, stamp: PaperStamp | None = None) -> bytes:
    p = Page(f"الحاقیه قرارداد نظارت {dto.property.file_no}")
    write_addendum(p, dto, stamp)
    return p.bytes()


def write_addendum(p: Page, dto: AddendumDTO, stamp: PaperStamp | None = None) -> None:
    values = addendum_values(dto, stamp)
    prop, org = dto.property, dto.organization
    start(p, org, "الحاقیه قرارداد نظارت", stamp)
    p.initials = INITIALS  # the parties initial every page of what they sign
    p.strike_blank = True  # and no room is left blank to write into after they sign
    heading(
        p,
        org,
        f"{dto.values.get('title', 'الحاقیه قرارداد نظارت')} — شماره {fa_digits(dto.seq)}",
        [
            ("شماره الحاقیه", stamp_number(stamp)),
            ("تاریخ", issued_on(stamp) or "—"),
            ("قرارداد", f"{fa_digits(dto.contract_number)} مورخ {jdate(dto.contract_issued_at)}"),
            ("شماره پرونده", fa_digits(prop.file_no)),
        ],
        stamp,
    )
    p.running = lambda pg: pg.para(
        f"ادامه الحاقیه شماره {fa_digits(dto.seq)} قرارداد {fa_digits(dto.contract_number)} — "
        f"پرونده {fa_digits(prop.file_no)}",
        size=8,
        bold=True,
        after=2,
    )
    p.heading("صاحب‌کار")
    write_owners(p, dto)
    p.heading("ناظر پیوسته به قرارداد" if len(dto.supervisors) == 1 else "ناظران پیوسته")
    write_supervisors(p, dto.supervisors)
    p.heading("سازمان")
    write_organization(p, org, "این الحاقیه")

    # the fee line right after the clause that states it
    write_articles(p, dto, values, {(2, 2): lambda: fee_table(p, dto)})

    signatures(p, dto, stamp)
    verification_note(p, stamp)
