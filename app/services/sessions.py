"""Signing in to the office server (U1): sessions with random tokens stored hashed, throttled
sign-ins counted atomically by the database and judged by its clock, and answers that do not
tell a known account from an unknown one.

- A wrong password and an unknown name get the same refusal after the same work (a password
  hash is verified either way: a dummy one for an unknown name).
- Failures are counted per account name (whether or not it exists) and per source address by
  one `INSERT … ON CONFLICT DO UPDATE … RETURNING`: 25 guesses at once count 25.
- While a name or an address is locked every sign-in is refused with `Throttled` (HTTP 429),
  the right password too, without looking at the password.
- A session ends at its absolute expiry, after a spell of disuse, at sign-out, when its user's
  password changes or when the user is disabled.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..db.clock import db_epoch
from ..db.models import AuthSession, LoginThrottle, OrganizationSettings, User
from ..domain.errors import RuleViolation
from ..domain.text import text_problem, without_control
from .context import Actor, ServiceContext, audit
from .registry import use_case

hasher = PasswordHasher()
WRONG = "نام کاربری یا گذرواژه نادرست است (U1)"

# Sign-in throttling (security settings of the server, not rules of the guideline)
ACCOUNT_FAILURES, ADDRESS_FAILURES = 5, 30  # failures within WINDOW that lock
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
# Session lifetimes: a desk works a whole office day; a phone's session is short
LIFETIME = {"desk": timedelta(hours=12), "web": timedelta(hours=12)}
IDLE = {"desk": timedelta(hours=2), "web": timedelta(minutes=30)}
KINDS = tuple(LIFETIME)

LOCKED = "ورود موقتاً بسته است: ورودهای نادرست پیاپی؛ پس از ۱۵ دقیقه دوباره بکوشید (U1)"


class Throttled(RuleViolation):
    """Sign-in refused while the account name or the source address is locked (HTTP 429)."""

    def __init__(self) -> None:
        super().__init__({"U1"}, LOCKED)


class SecondStepRequired(RuleViolation):
    """An engineer's password alone, while the office asks engineers for an SMS code after
    it: no desk or API session — the web cartable's sign-in asks for the code (HTTP 403)."""

    def __init__(self) -> None:
        super().__init__(
            {"U1"},
            "دفتر برای ورود مهندسان کد پیامکی پس از گذرواژه می‌خواهد: از صفحه ورود کارتابل وب "
            "وارد شوید (U1)",
        )


@dataclass(frozen=True)
class SignedIn:
    token: str  # shown once, to the client; only its hash is kept
    actor: Actor
    expires_at: datetime
    needs_code: bool = False  # the web's second step (an SMS code) is still to come


# argon2 is memory-hard CPU work. At most half the cores hash at once: a rush of sign-ins (the
# web before 20:00, issue 13) queues here instead of starving every other request of the CPU.
_HASHING = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


def _verify(stored: str, password: str) -> None:
    with _HASHING:
        hasher.verify(stored, password)


def _hash(password: str) -> str:
    with _HASHING:
        return hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return hasher.hash(secrets.token_hex(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _throttle_keys(username: str, source: str) -> tuple[str, str]:
    return f"user:{username.strip().casefold()[:180]}", f"addr:{_source(source)}"


def _source(source: str) -> str:
    """A client's address as given by the HTTP server: text, short, no control characters."""
    return without_control(source if isinstance(source, str) else "")[:64]


@use_case(writes=True, remote=False)
def check_credentials(
    ctx: ServiceContext,
    username: str,
    password: str,
    source: str = "",
    account_key: str | None = None,
    device_key: str | None = None,
) -> Actor:
    """The actor for the right name and password (throttled, uniform answers); U1 otherwise.
    Shared by the office server's sign-in and the one-desk login (`users.authenticate`).
    `device_key`: a browser this account signed in from before (`web_auth.device_key`): its
    failures are counted for that browser alone, and neither the account's lock nor the
    address's stops it — a rival who knows his membership number, or the typos of a
    carrier's shared address, cannot keep him out at 19:55 (OWASP's device cookies).
    `account_key`: the name failures are counted under when it is not the user name (the
    web's sign-in by a membership number that names no user)."""
    ok_name = isinstance(username, str) and not text_problem(username, 64)
    ok_pw = isinstance(password, str) and len(password) <= 1024
    user_key, addr_key = _throttle_keys(username if ok_name else "?", source)
    if isinstance(account_key, str) and account_key:
        user_key = account_key[:200]
    if isinstance(device_key, str) and device_key:
        user_key = addr_key = device_key[:200]
    with ctx.tx() as s:
        if _locked(s, (user_key, addr_key)):
            raise Throttled()
        u = (
            s.scalar(select(User).where(User.username == username, User.active))
            if ok_name
            else None
        )
    stored = u.password_hash if u is not None and u.password_hash else _dummy_hash()
    try:  # the same argon2 work for a known name, an unknown one and a missing hash
        _verify(stored, password if ok_pw else "")
        good = u is not None and u.password_hash is not None and ok_pw
    except (VerificationError, InvalidHashError):
        good = False
    if not good:
        with ctx.tx() as s:  # committed before the refusal is raised
            locked_now = _count_failure(s, user_key, ACCOUNT_FAILURES)
            _count_failure(s, addr_key, ADDRESS_FAILURES)
            if locked_now and u is not None:
                who = ctx.as_actor(Actor(u.username, u.role, u.id, u.engineer_id))
                audit(s, who, "user.locked", "user", u.id, after={"source": _source(source)})
        raise RuleViolation({"U1"}, WRONG)
    with ctx.tx() as s:
        row = s.get(User, u.id)
        if row is None or not row.active:  # disabled between the two transactions
            raise RuleViolation({"U1"}, WRONG)
        if _locked(s, (user_key, addr_key)):  # locked by parallel guesses meanwhile
            raise Throttled()
        s.execute(delete(LoginThrottle).where(LoginThrottle.key == user_key))
        if hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hash(password)
        return Actor(row.username, row.role, row.id, row.engineer_id)


@use_case(writes=True, remote=False)
def sign_in(
    ctx: ServiceContext,
    username: str,
    password: str,
    source: str = "",
    kind: str = "desk",
    needs_code: bool = False,
) -> SignedIn:
    """A new session for the right name and password; U1 (the same words) otherwise."""
    if kind not in KINDS:
        raise ValueError(kind)
    actor = check_credentials(ctx, username, password, source)
    if kind == "desk" and actor.role == "engineer" and _second_step_on(ctx):
        raise SecondStepRequired  # the password alone is not the office's sign-in for him
    token, _, expires = _open_session(ctx, actor, kind, source, verified=not needs_code)
    return SignedIn(token, actor, expires, needs_code)


def _second_step_on(ctx: ServiceContext) -> bool:
    with ctx.read() as s:
        return bool(s.scalar(select(OrganizationSettings.web_sms_code).limit(1)))


def _open_session(
    ctx: ServiceContext,
    actor: Actor,
    kind: str,
    source: str,
    verified: bool,
    lifetime: timedelta | None = None,
) -> tuple[str, int, datetime]:
    """A new session row for a checked actor, audited: (its token, its id, its end). The
    token is returned once and stored only hashed; `lifetime` shortens a pending one."""
    now = ctx.now()
    token = secrets.token_urlsafe(32)
    with ctx.tx() as s:
        row = AuthSession(
            token_hash=token_hash(token),
            user_id=actor.user_id,
            kind=kind,
            source=_source(source),
            created_at=now,
            expires_at=now + (lifetime or LIFETIME[kind]),
            idle_until=now + (lifetime or IDLE[kind]),
            verified=verified,
        )
        s.add(row)
        s.flush()
        audit(
            s,
            ctx.as_actor(actor),
            "session.start" if verified or lifetime is None else "session.pending",
            "session",
            row.id,
            after={"kind": kind, "source": _source(source)},
        )
        return token, row.id, row.expires_at


def _locked(s: Session, keys: tuple[str, ...]) -> bool:
    now = db_epoch(s.get_bind().dialect.name)
    hit = s.scalar(
        select(LoginThrottle.key)
        .where(LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now)
        .limit(1)
    )
    return hit is not None


def _count_failure(
    s: Session,
    key: str,
    limit: int,
    window: timedelta = WINDOW,
    lockout: timedelta = LOCKOUT,
) -> bool:
    """One more failure (or, for a rate limit, one more use) for `key`, atomically; True when
    this one locks it: `limit` within `window` lock it for `lockout`."""
    dialect = s.get_bind().dialect.name
    now = db_epoch(dialect)
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    t = LoginThrottle.__table__.c
    fresh = (t.window_start < now - window.total_seconds()) | (
        t.locked_until.is_not(None) & (t.locked_until <= now)
    )
    failures = case((fresh, 1), else_=t.failures + 1)
    stmt = insert(LoginThrottle).values(key=key, failures=1, window_start=now, locked_until=None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.key],
        set_={
            "failures": failures,
            "window_start": case((fresh, now), else_=t.window_start),
            "locked_until": case(
                (failures >= limit, now + lockout.total_seconds()),
                (fresh, None),
                else_=t.locked_until,
            ),
        },
    ).returning(t.failures)
    return s.execute(stmt).scalar_one() == limit  # this failure is the one that locks


@use_case(writes=True, remote=False)
def resolve(ctx: ServiceContext, token: str, kind: str = "desk") -> Actor | None:
    """The actor of a live session, or None (unknown, expired, idle too long, revoked, its
    user disabled)."""
    found = resolve_session(ctx, token, kind)
    return None if found is None else found[0]


@use_case(writes=True, remote=False)
def resolve_session(
    ctx: ServiceContext, token: str, kind: str = "desk"
) -> tuple[Actor, datetime] | None:
    """The actor of a live session and the instant it ends if unused (idle or absolute, the
    sooner), or None. Its idle deadline moves on, written at most once a minute."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    now = ctx.now()
    h = token_hash(token)
    with ctx.read() as s:
        row = s.execute(
            select(
                AuthSession.id,
                AuthSession.idle_until,
                AuthSession.expires_at,
                User.username,
                User.role,
                User.id,
                User.engineer_id,
            )
            .join(User, User.id == AuthSession.user_id)
            .where(
                AuthSession.token_hash == h,
                AuthSession.kind == kind,
                AuthSession.revoked_at.is_(None),
                AuthSession.verified,
                AuthSession.expires_at > now,
                AuthSession.idle_until > now,
                User.active,
            )
        ).first()
    if row is None:
        return None
    sid, idle_until, expires_at, username, role, user_id, engineer_id = row
    if idle_until < now + IDLE[kind] - timedelta(minutes=1):
        idle_until = now + IDLE[kind]
        with ctx.tx() as s:
            s.execute(
                update(AuthSession).where(AuthSession.id == sid).values(idle_until=idle_until)
            )
    return Actor(username, role, user_id, engineer_id), min(idle_until, expires_at)


@use_case(writes=True, remote=False)
def sign_out(ctx: ServiceContext, token: str) -> bool:
    """End the session of `token` (no error for an unknown one: nothing to end)."""
    now = ctx.now()
    with ctx.tx() as s:
        sid = s.scalar(
            select(AuthSession.id).where(
                AuthSession.token_hash == token_hash(token), AuthSession.revoked_at.is_(None)
            )
        )
        if sid is None:
            return False
        s.execute(
            update(AuthSession)
            .where(AuthSession.id == sid)
            .values(revoked_at=now, revoked_why="sign-out")
        )
        audit(s, ctx, "session.end", "session", sid)
    return True


def revoke_user_sessions(s: Session, user_id: int, now: datetime, why: str) -> int:
    """Every live session of a user ends (a password change, the user disabled)."""
    return s.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_why=why)
    ).rowcount


def prune(s: Session, now: datetime) -> int:
    """Forget sessions that ended more than a day ago (the trail keeps their start and end)."""
    gone = now - timedelta(days=1)
    return s.execute(
        delete(AuthSession).where((AuthSession.expires_at < gone) | (AuthSession.revoked_at < gone))
    ).rowcount
