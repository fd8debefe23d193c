"""Persian wording of every rule, for refusals (U3) and "why not" answers."""

from __future__ import annotations

RULE_TEXT_FA: dict[str, str] = {
    "G1": "عضویت سازمان استان با اقامت و اشتغال غالب در استان احراز نشده است",
    "G2": "پروانه اشتغال به کار معتبر نیست (تاریخ اعتبار گذشته است)",
    "G3": "حق عضویت سال جاری پرداخت و تأیید نشده یا سال‌های قبل بدهکار است",
    "G4": "مهندس دارای حجر یا ناتوانی قانونی است",
    "G5": "مهندس پروژه فعال اجرای ساختمان دارد",
    "G6": "مهندس هم‌زمان صلاحیت طرح و ساخت دارد",
    "G7": "محکومیت انتظامی درجه سه یا بالاتر در جریان است",
    "S1": "صلاحیت نظارت در این رشته با پایه مجاز برای گروه ساختمانی پروژه وجود ندارد",
    "S2": "ظرفیت نظارت از پایه و درصد نظارت خوداظهاری سال جاری محاسبه نمی‌شود",
    "S3": "پایان کار تنها برای پروژه‌ای ثبت می‌شود که همه ارجاع‌های آن امضا شده باشد",
    "S4": "مهندس مالک همین پروژه است",
    "S5": "مهندس با مالک پروژه رابطه مالی اعلام‌شده دارد",
    "S6": "مهندس شاغل در مرجع صدور پروانه است",
    "S7": "ظرفیت باقی‌مانده یا تعداد کار مجاز برای این ارجاع کافی نیست",
    "S8": "امتیاز بر پایه آخرین اطلاعات محاسبه می‌شود",
    "C1": "فرم خوداظهاری سال جاری با اعلام آمادگی به کار و پذیرش قوانین ثبت نشده است",
    "C2": "این ارجاع در کارتابل مهندس نیست",
    "C3": "مهلت کاندیداتوری این ارجاع باز نیست",
    "C4": (
        "کاندیداتوری تکراری است، کاندیداتوری فعالی برای لغو نیست یا لغو قبلاً یک بار انجام شده است"
    ),
    "C5": "سقف لغو کاندیداتوری در این روز پر شده است",
    "C6": "فهرست کاندیداها و امتیازها برای همه قابل مشاهده است",
    "A5": "مهندس برای رشته دیگری از همین پروژه انتخاب شده است",
    "A9": "امضا تنها در ساعت مقرر روز کاری پس از انتخاب و برای انتخابِ در انتظار امضا ثبت می‌شود",
    "W1": "انصراف تنها برای ارجاعی که ناظر آن انتخاب شده و هنوز امضا نکرده ثبت می‌شود",
    "W4": "مهندس از این ارجاع انصراف داده و دیگر نمی‌تواند کاندیدا یا انتخاب شود",
    "P2": "پرونده هنوز شرایط ورود به توزیع را ندارد",
    "P3": "گروه ساختمانی از تعداد طبقات و مساحت محاسبه می‌شود",
    "P4": "رشته‌های لازم پروژه را نمی‌توان حذف کرد یا رشته نامعتبر است",
    "P5": "برای این پلاک ثبتی پرونده باز دیگری وجود دارد",
    "F2": "تأیید یا رد پرداخت تنها با امور مالی است",
    "F5": "تمدید عضویت ممکن نیست: اطلاعات ناقص است، این سال پرداخت شده یا سال‌های قبل بدهکار است",
    "U1": "نقش کاربر اجازه این کار را نمی‌دهد",
}


def persian_message(rules: list[str] | set[str] | tuple[str, ...]) -> str:
    """One Persian sentence naming every rule that refused an action."""
    return "؛ ".join(f"{RULE_TEXT_FA.get(r, r)} ({r})" for r in sorted(set(rules)))


# Where each rule comes from in the province's guideline (شیوه‌نامه ارجاع نظارت), for papers:
# a Persian paper names the guideline's clause, never the rulebook's Latin IDs.
RULE_CLAUSE_FA: dict[str, str] = {
    **{f"G{i}": f"بخش ۲، بند {'۰۱۲۳۴۵۶۷۸۹'[i]}" for i in range(1, 8)},
    **{f"S{i}": f"بخش ۳، بند {'۰۱۲۳۴۵۶۷۸۹'[i]}" for i in range(1, 9)},
    "C1": "بخش ۴، بندهای ۲ و ۳",
    "C2": "بخش ۴، بند ۴",
    "C3": "بخش ۴، بند ۴",
    "C4": "بخش ۴، بندهای ۶ و ۷",
    "C5": "بخش ۴، بند ۷",
    "A5": "بخش ۴، بند ۸",
    "W2": "بخش ۴، بند ۱۲",
    "W4": "بخش ۴، بند ۱۱",
}


def clause_fa(rule: str) -> str:
    """The guideline's clause of a rule, in Persian («بخش ۳، بند ۷»)."""
    return RULE_CLAUSE_FA.get(rule, "ضوابط ارجاع نظارت")


# The guideline the papers' clause columns cite («شیوه‌نامه، بخش ۳ بند ۴»), by its published
# title (seeds/004: «شیوه نامه ارجاع نظارت» of the province's organization; it gives no
# approval date, so none is printed). Each paper that cites it names it once.
GUIDELINE_FA = "شیوه‌نامه ارجاع نظارت"


def guideline_fa(organization: str) -> str:
    """The guideline named in full: «شیوه‌نامه ارجاع نظارت سازمان نظام مهندسی ساختمان استان …»."""
    return f"{GUIDELINE_FA} {organization}".strip()


def join_fa(items: list[str] | tuple[str, ...]) -> str:
    """A Persian list: «الف»، «الف و ب»، «الف، ب و ج» ("" for none)."""
    items = [x for x in items if x]
    if len(items) <= 1:
        return "".join(items)
    return "، ".join(items[:-1]) + " و " + items[-1]


def disciplines_phrase(names: list[str] | tuple[str, ...]) -> str:
    """«رشته عمران»، «رشته‌های معماری و تأسیسات مکانیکی» (names already in Persian)."""
    return ("رشته " if len(names) == 1 else "رشته‌های ") + join_fa(names)


# the engineer file's facts (browse.EngineerFile.g_facts), each as what holds when true
FACT_FA: dict[str, str] = {
    "G1": "اقامت و اشتغال غالب در استان",
    "G4": "نداشتن حجر یا ناتوانی قانونی",
    "G5": "نداشتن پروژه فعال اجرای ساختمان",
    "S6": "شاغل نبودن در مرجع صدور پروانه",
    "F5": "کامل بودن اطلاعات پرونده",
}

# the kinds of a competence (codes.COMPETENCE_KINDS)
COMPETENCE_KIND_FA: dict[str, str] = {
    "supervision": "نظارت",
    "design": "طراحی",
    "execution": "اجرا",
}


# the audit trail's actions and entities (U2), in words; the code stays beside them
AUDIT_ACTION_FA: dict[str, str] = {
    "calendar.holidays": "ثبت تعطیلات تقویم",
    "calendar.official": "ثبت تقویم رسمی",
    "candidacy.cancel": "لغو کاندیداتوری",
    "candidacy.stand": "ثبت کاندیداتوری",
    "deadline.run": "اجرای مهلت‌ها",
    "deadline.verify": "وارسی اجرای مهلت",
    "documents.print": "چاپ سند",
    "engineer.declare": "اعلام آمادگی سالانه",
    "engineer.iban": "ثبت شماره شبا",
    "engineer.register": "ثبت مهندس",
    "engineer.update": "ویرایش پرونده مهندس",
    "fee.decide": "تصمیم مالی درباره پرداخت مالک",
    "fee.record": "ثبت پرداخت مالک",
    "firm.add_member": "افزودن عضو شرکت",
    "firm.register": "ثبت شرکت",
    "firm.remove_member": "برداشتن عضو شرکت",
    "members.import": "ورود فهرست اعضا",
    "membership.approve": "تأیید مبلغ تمدید عضویت",
    "membership.pay": "ثبت پرداخت حق عضویت",
    "membership.request": "درخواست تمدید عضویت",
    "organization.save": "ذخیره مشخصات سازمان",
    "organization.web_sms_code": "کد پیامکی درگاه وب",
    "paper.issue": "صدور سند",
    "paper.reprint": "چاپ دوباره سند",
    "payout.decide": "تصمیم مالی درباره پرداخت مرحله‌ای",
    "payout.paid": "ثبت پرداخت به ناظر",
    "payout.report": "ثبت گزارش مرحله",
    "permit.record": "ثبت پروانه",
    "policy.set": "تغییر سیاست",
    "project.complete": "ثبت پایان کار",
    "project.document": "ثبت مدرک پرونده",
    "project.drawings_approved": "تأیید نقشه‌ها",
    "project.permit": "ثبت پروانه پرونده",
    "project.ready": "ارسال پرونده به توزیع",
    "project.register": "ثبت پرونده",
    "referral.sign": "ثبت امضای قرارداد",
    "referral.withdraw": "ثبت انصراف ناظر",
    "session.end": "خروج از سامانه",
    "session.start": "ورود به سامانه",
    "sms.code": "کد پیامکی",
    "sms.send": "ارسال پیامک",
    "sms.retry": "ارسال دوباره پیامک",
    "tariff.seed": "بارگذاری تعرفه‌ها",
    "tariff.set": "ثبت تعرفه",
    "user.active": "فعال یا غیرفعال کردن کاربر",
    "user.bootstrap": "ساختن نخستین کاربر",
    "user.create": "ساختن کاربر",
    "user.locked": "قفل شدن کاربر",
    "user.password": "تغییر گذرواژه",
    "user.password_reset": "گذرواژه تازه",
}

AUDIT_ENTITY_FA: dict[str, str] = {
    "admin": "مدیر سامانه",
    "engineer": "مهندس",
    "fee_payment": "پرداخت مالک",
    "membership_year": "سال عضویت",
    "organization": "سازمان",
    "paper": "سند",
    "policy": "سیاست",
    "project": "پرونده",
    "referral": "ارجاع",
    "round": "دور کاندیداتوری",
    "deadline_run": "اجرای مهلت",
    "session": "نشست",
    "stage_payout": "پرداخت مرحله‌ای",
    "tariff": "تعرفه",
    "user": "کاربر",
    "calendar": "تقویم",
    "sms": "پیامک",
}


def audit_words(code: str, table: dict[str, str]) -> str:
    """An audit code in words with the code after it in parentheses: «ثبت پرداخت به ناظر
    (payout.paid)»; a code not in the table stays as it is."""
    fa = table.get(code)
    return f"{fa} ({code})" if fa else code
