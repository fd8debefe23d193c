"""`main.py documents OUTDIR [--db URL]` and `main.py bench-documents`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.bench.measure import register as register_measure
from app.db.engine import default_url


def cmd_documents(args: argparse.Namespace) -> int:
    if args.bench:
        from .bench import bench_documents

        return bench_documents(args.db if args.db_given else None)
    if not args.outdir:
        print("documents: OUTDIR is required", file=sys.stderr)
        return 2
    from app.cli.errors import open_existing, require_demo
    from app.services import documents as docs
    from app.services.context import ServiceContext
    from app.services.document_dto import DocumentRefused

    from . import commitment, contract, daily, letter, receipt

    engine = open_existing(args.db)
    require_demo(engine, "documents")  # an empty database: say how to build the demo
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = ServiceContext(engine)
    pick = docs.demo_choice(ctx)
    files = pick["file_nos"]
    written: list[Path] = []

    def save(name: str, data: bytes) -> None:
        path = out / f"{name}.pdf"
        path.write_bytes(data)
        written.append(path)

    signed = pick["signed_project"] or pick["selected_project"]
    if signed is None:
        print("documents: no project with a selected supervisor: run `main.py demo` first")
        return 1
    fno = files[signed]
    save(f"contract-{fno}", contract.contract_pdf(docs.contract_dto(ctx, signed)))
    dto = docs.contract_dto(ctx, signed)
    for s in dto.supervisors:
        save(
            f"commitment-{fno}-{s.discipline}",
            commitment.commitment_pdf(docs.commitment_dto(ctx, s.referral_id)),
        )
    save(f"receipt-{fno}", receipt.receipt_pdf(docs.receipt_dto(ctx, signed)))
    save(f"letter-{fno}", letter.letter_pdf(docs.letter_dto(ctx, signed)))
    if pick["selected_project"] is not None:
        sp = pick["selected_project"]
        save(
            f"contract-{files[sp]}-selected",
            contract.contract_pdf(docs.contract_dto(ctx, sp)),
        )
        try:
            letter.letter_pdf(docs.letter_dto(ctx, sp))
        except DocumentRefused as exc:
            print(f"letter for {files[sp]} refused (as it should be): {exc}")
    if pick["fresh_project"] is not None:
        fp = pick["fresh_project"]
        save(f"receipt-{files[fp]}", receipt.receipt_pdf(docs.receipt_dto(ctx, fp)))
    for run_id in dict.fromkeys(r for r in (pick["run"], pick["rich_run"]) if r is not None):
        rep = docs.daily_report_dto(ctx, run_id)
        save(f"daily-run-{rep.run_id}", daily.daily_report_pdf(rep))
    for path in written:
        print(path)
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
