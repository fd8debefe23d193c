"""`main.py documents OUTDIR [--db URL]` and `main.py bench-documents`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.bench.measure import register as register_measure
from app.db.engine import default_url


def cmd_documents(args: argparse.Namespace) -> int:
    """Issue (or reprint) every paper of the demo's choice and write them as PDF files."""
    if args.bench:
        from .bench import bench_documents

        return bench_documents(args.db if args.db_given else None)
    if not args.outdir:
        print("documents: OUTDIR is required", file=sys.stderr)
        return 2
    from sqlalchemy import select

    from app.cli.errors import (
        CommandError,
        not_written,
        open_existing,
        output_folder,
        require_demo,
        signed_in,
        writable_folder,
    )
    from app.db.models import User
    from app.domain.errors import InputError, RuleViolation
    from app.services import addenda, papers
    from app.services import documents as docs
    from app.services.document_dto import DocumentRefused

    from . import addendum, commitment, contract, daily, letter, receipt

    writable_folder(Path(args.outdir))  # before the password is asked and papers issued
    engine = open_existing(args.db)
    require_demo(engine, "documents")  # an empty database: say how to build the demo
    username = args.user
    if username is None:  # the counter's first clerk, as the demo's papers are issued
        with engine.connect() as c:
            username = c.scalar(
                select(User.username)
                .where(User.active.is_(True), User.role.in_(("clerk", "manager")))
                .order_by(User.role, User.id)
            )
    # papers are issued in a person's name (the register, the trail): after their password
    ctx = signed_in(engine, username)
    if ctx.actor.role not in ("admin", "clerk", "finance", "manager"):
        raise CommandError(f"«{username}» از کارکنان دفتر نیست و برگه صادر نمی‌کند (U1)")
    pick = docs.demo_choice(ctx)
    files = pick["file_nos"]
    signed = pick["signed_project"] or pick["selected_project"]
    if signed is None:
        print(
            "documents: این پایگاه داده هنوز پرونده‌ای با ناظر انتخاب‌شده ندارد؛ نخست با "
            "`main.py demo` استان نمایشی را بسازید."
        )
        return 1
    out = output_folder(Path(args.outdir))
    written: list[Path] = []

    def save(name: str, data: bytes, stamp) -> None:
        path = out / f"{name}.pdf"
        try:
            path.write_bytes(data)
        except OSError as exc:  # issued and kept in the register: a reprint gives it again
            raise CommandError(not_written(path, exc)) from None
        written.append(path)
        how = "copy" if stamp.copy else "reprint" if stamp.reprint else "issued"
        print(f"{path}  {how} no. {stamp.number}  code {stamp.code}")

    def project_papers(pid: int, committed, with_receipt: bool, with_letter: bool) -> None:
        """A project's contract; the commitment form of each supervisor `committed` says;
        its receipt and its letter (a letter refused is said, not fatal)."""
        fno = files[pid]
        c = papers.issue_contract(ctx, pid)
        save(f"contract-{fno}", contract.contract_pdf(c.paper, c.stamp), c.stamp)
        for sup in c.paper.supervisors:
            if committed(sup):
                k = papers.issue_commitment(ctx, sup.referral_id)
                save(
                    f"commitment-{fno}-{sup.discipline}",
                    commitment.commitment_pdf(k.paper, k.stamp),
                    k.stamp,
                )
        if with_receipt:
            r = papers.issue_receipt(ctx, pid)
            save(f"receipt-{fno}", receipt.receipt_pdf(r.paper, r.stamp), r.stamp)
        if with_letter:
            try:
                lt = papers.issue_letter(ctx, pid)
            except DocumentRefused as exc:
                print(f"letter for {fno} refused: {exc}")
            else:
                save(f"letter-{fno}", letter.letter_pdf(lt.paper, lt.stamp), lt.stamp)

    try:
        project_papers(signed, lambda _sup: True, with_receipt=True, with_letter=True)
        firm, company = pick["firm_project"], pick["company_project"]
        if firm not in (None, signed):  # a firm's contract, commitment form and letter
            project_papers(firm, lambda sup: sup.kind == "firm", False, with_letter=True)
        if company not in (None, signed, firm):  # a company owner's contract
            project_papers(company, lambda _sup: False, False, with_letter=False)
        if pick["selected_project"] is not None and pick["selected_project"] != signed:
            sp = pick["selected_project"]
            if addenda.addendum_due(ctx, sp):  # what the supervisor waiting to sign signs
                a2 = addenda.issue_addendum(ctx, sp)
                pdf = addendum.addendum_pdf(a2.paper, a2.stamp)
                save(f"addendum-{files[sp]}-{a2.paper.seq}-selected", pdf, a2.stamp)
            else:
                c2 = papers.issue_contract(ctx, sp)
                pdf = contract.contract_pdf(c2.paper, c2.stamp)
                save(f"contract-{files[sp]}-selected", pdf, c2.stamp)
            try:
                papers.issue_letter(ctx, sp)
            except DocumentRefused as exc:
                print(f"letter for {files[sp]} refused (as it should be): {exc}")
        if pick["addendum"] is not None:  # a supervisor who joined a signed contract
            ap, seq = pick["addendum"]
            a = addenda.issue_addendum(ctx, ap, seq)
            save(f"addendum-{files[ap]}-{seq}", addendum.addendum_pdf(a.paper, a.stamp), a.stamp)
            c3 = papers.issue_contract(ctx, ap)  # the contract it joins, as signed
            save(f"contract-{files[ap]}", contract.contract_pdf(c3.paper, c3.stamp), c3.stamp)
        for key in ("short_project", "fresh_project"):
            fp = pick[key]
            if fp is not None and f"receipt-{files[fp]}" not in {x.stem for x in written}:
                r2 = papers.issue_receipt(ctx, fp)
                save(f"receipt-{files[fp]}", receipt.receipt_pdf(r2.paper, r2.stamp), r2.stamp)
        for run_id in dict.fromkeys(x for x in (pick["run"], pick["rich_run"]) if x is not None):
            d = papers.issue_daily(ctx, run_id)
            save(f"daily-run-{d.paper.run_id}", daily.daily_report_pdf(d.paper, d.stamp), d.stamp)
    except DocumentRefused as exc:
        print(f"documents: {exc}")
        return 1
    except (RuleViolation, InputError) as exc:
        print(f"documents: {exc}")
        return 1
    print(f"{len(written)} paper(s) written; check any of them with `main.py verify-paper CODE`")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import bench_documents

    return bench_documents(args.db, n=args.n)


def documents_measures(world) -> list:
    from .bench import contract_measure

    return [contract_measure()]


register_measure(documents_measures, stage="end")  # `main.py bench`, after the deadline run


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("documents", help="write every printed document for a demo project (PDF)")
    d.add_argument("outdir", nargs="?")
    d.add_argument("--db", default=None)
    d.add_argument("--bench", action="store_true", help="run the documents benchmark instead")
    d.add_argument(
        "--user",
        default=None,
        help="issue as this staff user, after their password (NEZARAT_PASSWORD; default: a clerk)",
    )
    d.set_defaults(func=_with_db(cmd_documents))
    b = sub.add_parser("bench-documents", help="time a contract against a blank page; a batch")
    b.add_argument("--db", default=None, help="take the contract from this database")
    b.add_argument("-n", type=int, default=200, help="contracts in the batch (default 200)")
    b.set_defaults(func=cmd_bench)


def _with_db(f):
    def run(args: argparse.Namespace) -> int:
        args.db_given = args.db is not None
        if args.db is None:
            args.db = default_url()
        return f(args)

    return run
