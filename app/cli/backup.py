"""`main.py backup FILE` and `main.py restore FILE`: both dialects, one file format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..db.engine import default_url

GZIP_MAGIC = b"\x1f\x8b"  # every backup is a gzip file


def cmd_backup(args: argparse.Namespace) -> int:
    from ..db.backup import backup
    from .errors import CommandError, not_onto, not_written, only_replacing, open_existing

    target = Path(args.file)
    # never over the database it reads (`backup --db sqlite:///X X`), nor over a file that is
    # not an earlier backup: yesterday's backup under the name is replaced, nothing else
    not_onto(target, "پشتیبان", db=args.db)
    only_replacing(target, "پشتیبان", lambda head: head.startswith(GZIP_MAGIC), "پشتیبان")
    engine = open_existing(args.db)  # as it is: `backup` only reads (errors.READING)
    try:
        counts = backup(engine, target)
    except OSError as exc:  # a folder that is not there, a full disk, no permission
        raise CommandError(not_written(target, exc, "پشتیبان")) from None
    print(f"backup: {sum(counts.values())} row(s) of {len(counts)} table(s) → {args.file}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ..db.backup import BackupError, restore
    from ..db.engine import make_engine
    from ..keys import KeyFileError
    from .errors import check_url, reach, sqlite_path

    check_url(args.db)
    path = sqlite_path(args.db)
    engine = make_engine(args.db) if path is not None and not path.exists() else reach(args.db)
    try:
        counts = restore(engine, Path(args.file))
    except (BackupError, KeyFileError) as exc:
        print(f"restore: {exc}", file=sys.stderr)
        return 2
    print(f"restore: {sum(counts.values())} row(s) of {len(counts)} table(s) ← {args.file}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("backup", help="write every table to a backup file (.jsonl.gz)")
    b.add_argument("file")
    b.add_argument("--db", default=default_url())
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="load a backup file into an EMPTY database")
    r.add_argument("file")
    # no way to take an unsigned file: every backup of a schema restore accepts was signed,
    # so a missing signature is one taken off (an edited backup)
    r.add_argument(
        "--db",
        required=True,
        help="the target: a new SQLite file, or a PostgreSQL database just made by createdb",
    )
    r.set_defaults(func=cmd_restore)
