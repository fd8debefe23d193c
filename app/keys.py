"""The office's secret key: kept in a file outside the database, by the one process that holds
the database (the office server, or the one desk on its own SQLite file).

What it keys — each under its own purpose, so a code made for one can never pass for another:
the audit trail's chain (U2: a line written by plain SQL cannot be chained), the printed
papers' verification codes, backups' signatures, and the web's CSRF and session secrets. Whoever
holds only database credentials can read and write rows, but cannot make any of these.

The file holds 64 hex digits and nothing else; it is created on first use with mode 0600.
`NEZARAT_KEY_FILE` names it; by default it is `server.key` in the data folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .paths import default_data_dir

KEY_FILE_ENV = "NEZARAT_KEY_FILE"


class KeyFileError(RuntimeError):
    """The key file is missing (and may not be made here), unreadable or malformed."""


class ForeignKeyError(KeyFileError):
    """The database's trail is kept under another key: writing under this one would break the
    chain (and issue papers no check can verify). Said before anything is written."""

    def __init__(self, theirs: str, ours: str) -> None:
        super().__init__(
            f"این پایگاه داده با کلید دیگری نگه داشته می‌شود (شناسه {theirs})، نه کلید این "
            f"فرمان (شناسه {ours}): پرونده کلید سرور را با --key-file یا NEZARAT_KEY_FILE "
            "بدهید؛ چیزی ثبت نشد"
        )


@dataclass(frozen=True)
class ServerKey:
    secret: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        """A public fingerprint: names the key (on a line, a backup) without revealing it."""
        return hashlib.sha256(b"nezarat/key-id\0" + self.secret).hexdigest()[:16]

    def mac(self, purpose: str, data: bytes) -> bytes:
        """HMAC-SHA256 of `data` for one `purpose` ("audit", "paper", "backup", …)."""
        return hmac.new(self.secret, purpose.encode() + b"\0" + data, hashlib.sha256).digest()

    def mac_hex(self, purpose: str, data: bytes) -> str:
        return self.mac(purpose, data).hex()

    def verify(self, purpose: str, data: bytes, tag: bytes) -> bool:
        return hmac.compare_digest(self.mac(purpose, data), tag)


def key_path() -> Path:
    return Path(os.environ.get(KEY_FILE_ENV) or default_data_dir() / "server.key")


def load_key(path: Path | str | None = None, create: bool = True) -> ServerKey:
    """The key in `path` (default: `key_path()`), made there first if `create` and absent."""
    p = Path(path) if path is not None else key_path()
    if not p.exists():
        if not create:
            raise KeyFileError(f"پرونده کلید سرور پیدا نشد: {p}")
        p.parent.mkdir(parents=True, exist_ok=True)
        # written whole under a name of its own, then linked into place (fails if there):
        # two processes starting together neither write two keys nor read a half-written one
        tmp = p.with_name(f".{p.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.link(tmp, p)
        except FileExistsError:
            pass  # another process made it first: its key is the key
        finally:
            tmp.unlink(missing_ok=True)
    try:
        text = p.read_text(encoding="ascii").strip()
        secret = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise KeyFileError(f"پرونده کلید سرور خوانده نشد: {p}") from exc
    if len(secret) < 32:
        raise KeyFileError(f"پرونده کلید سرور کوتاه است (کمتر از ۳۲ بایت): {p}")
    return ServerKey(secret)


def installation_key() -> ServerKey:
    """This installation's key (the file named by `key_path()`, made on first use)."""
    return _cached(str(key_path()))


@cache
def _cached(path: str) -> ServerKey:
    return load_key(path)


def ephemeral_key() -> ServerKey:
    """A key that lives as long as the process (a throw-away replay database)."""
    return ServerKey(secrets.token_bytes(32))
