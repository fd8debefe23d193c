"""`main.py holidays`: the office calendar's holidays, by the administrator (reference-data.md).

    holidays load --through 1406   the official calendar to the end of that Jalali year
    holidays add 1405-09-20 "…"    a one-off closure the government announces
    holidays show                  how far the table reaches, and its days from today

Acts as `--user` (an administrator) after their password, as every command that changes data.
"""

from __future__ import annotations

import argparse

from ..db.engine import default_url


def cmd_holidays(args: argparse.Namespace) -> int:
    from ..domain.calendar import format_jalali_date, local_date, parse_jalali_date
    from ..domain.digits import persian_digits
    from ..domain.errors import InputError, RuleViolation
    from ..services import calendar
    from .errors import CommandError, open_existing, signed_in

    engine = open_existing(args.db)
    if args.action == "show":
        from ..services.context import Actor, ServiceContext

        ctx = ServiceContext(engine, actor=Actor("holidays", "system"))
        status = calendar.calendar_status(ctx)
        through = format_jalali_date(status.through) if status.through else "—"
        print(f"holidays: table complete through {through}")
        if status.warning:
            print(f"holidays: {status.warning}")
        today = local_date(ctx.now())
        for d, title in calendar.holidays_from(ctx, today):
            print(f"  {persian_digits(format_jalali_date(d))}  {title}")
        return 0
    ctx = signed_in(engine, args.user)
    try:
        if args.action == "load":
            if args.through is None:
                raise CommandError("سال پایان را با --through بدهید (مثلاً ۱۴۰۶)")
            got = calendar.load_official_calendar(ctx, args.through)
            print(
                f"holidays: official calendar loaded through {format_jalali_date(got.through)} "
                f"({got.added} day(s) added)"
            )
            if got.estimated:
                print("holidays: estimated lunar days — confirm against the official calendar:")
                for d, title in got.estimated:
                    print(f"  {persian_digits(format_jalali_date(d))}  {title}")
            return 0
        if len(args.day) != 2:
            raise CommandError("روز و عنوان تعطیلی را بدهید: holidays add 1405-09-20 «عنوان»")
        try:
            day = parse_jalali_date(args.day[0])
        except ValueError:
            raise CommandError(f"روز تعطیلی تاریخ شمسی نیست: {args.day[0]}") from None
        moved = calendar.set_holidays(ctx, [(day, args.day[1])])
        print(
            f"holidays: {format_jalali_date(day)} added; moved to the next working day: "
            f"{moved.deadlines} deadline(s), {moved.signing_windows} signing window(s)"
        )
        return 0
    except (InputError, RuleViolation) as exc:
        raise CommandError(exc.message) from None


def register(sub: argparse._SubParsersAction) -> None:
    h = sub.add_parser("holidays", help="the office calendar: load the official one, add a day")
    h.add_argument("action", choices=("load", "add", "show"))
    h.add_argument("day", nargs="*", help="add: a Jalali day (1405-09-20) and its title")
    h.add_argument("--through", type=int, help="load: the last Jalali year to cover")
    h.add_argument("--user", default="admin", help="the administrator acting (asked password)")
    h.add_argument("--db", default=default_url())
    h.set_defaults(func=cmd_holidays)
