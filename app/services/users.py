"""Users and roles (U1) with argon2id password hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from ..db.models import AuthSession, Engineer, OneTimeCode, User
from ..domain.codes import ROLES
from ..domain.digits import persian_digits
from ..domain.errors import InputError, RuleViolation
from ..domain.text import check_texts, text_problem
from .context import Actor, ServiceContext, audit
from .permissions import require
from .registry import use_case
from .sessions import check_credentials, hasher, revoke_user_sessions


@use_case(writes=True)
def create_user(
    ctx: ServiceContext,
    username: str,
    full_name: str,
    role: str,
    password: str | None = None,
    engineer_id: int | None = None,
) -> Actor:
    require(ctx, "user.manage")
    if role not in ROLES:
        raise InputError("role", "نقش نامعتبر است")
    if role == "engineer" and engineer_id is None:
        raise InputError("engineer_id", "کاربر مهندس باید به پرونده مهندس وصل باشد")
    if role != "engineer" and engineer_id is not None:
        raise InputError("engineer_id", "فقط کاربر با نقش مهندس به پرونده مهندس وصل می‌شود")
    check_texts(("username", username, 64), ("full_name", full_name, 200))
    if not username.strip():
        raise InputError("username", "نام کاربری خالی است")
    with ctx.tx() as s:
        if s.scalar(select(User.id).where(User.username == username)):
            raise InputError("username", "این نام کاربری قبلاً ثبت شده است")
        if engineer_id is not None:
            _check_engineer_free(s, engineer_id)
        u = User(
            username=username,
            full_name=full_name,
            role=role,
            engineer_id=engineer_id,
            password_hash=hasher.hash(password) if password else None,
            created_at=ctx.now(),
        )
        s.add(u)
        s.flush()
        audit(s, ctx, "user.create", "user", u.id, after={"username": username, "role": role})
        return Actor(username, role, u.id, engineer_id)


def _check_engineer_free(s, engineer_id: int, user_id: int | None = None) -> None:
    """One login per engineer: a second user for the same engineer's file is refused, naming
    the user who already has it (any update that sets `engineer_id` checks the same)."""
    if s.get(Engineer, engineer_id) is None:
        raise InputError("engineer_id", "مهندسی که کاربر به او وصل شود پیدا نشد")
    q = select(User.username).where(User.engineer_id == engineer_id)
    if user_id is not None:
        q = q.where(User.id != user_id)
    taken = s.scalar(q.order_by(User.id).limit(1))
    if taken is not None:
        raise InputError(
            "engineer_id",
            f"این مهندس از پیش کاربر «{taken}» را دارد؛ برای هر مهندس یک کاربر ساخته می‌شود",
        )


@use_case(writes=True, remote=False)
def authenticate(ctx: ServiceContext, username: str, password: str) -> Actor:
    """The one-desk login (no server, no session): the same throttled check, counted by the
    database and judged by its clock, with the same answers as the server's sign-in."""
    return check_credentials(ctx, username, password, source="desk")


@use_case(writes=True, remote=False)
def bootstrap_admin(
    ctx: ServiceContext,
    username: str = "admin",
    password: str | None = None,
    full_name: str = "مدیر سامانه",
) -> Actor:
    """The first administrator of an empty database (no one exists yet to grant the role)."""
    with ctx.tx() as s:
        if s.scalar(select(User.id).limit(1)) is not None:
            raise RuleViolation(
                {"U1"}, "کاربران قبلاً تعریف شده‌اند؛ مدیر اول فقط یک بار ساخته می‌شود"
            )
        u = User(
            username=username,
            full_name=full_name,
            role="admin",
            password_hash=hasher.hash(password) if password else None,
            created_at=ctx.now(),
        )
        s.add(u)
        s.flush()
        actor = Actor(username, "admin", u.id)
        audit(
            s,
            ctx.as_actor(actor),
            "user.bootstrap",
            "user",
            u.id,
            after={"username": username, "role": "admin"},
        )
        return actor


MIN_PASSWORD = 10  # characters; a security setting of the office, not a rule of the guideline


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InputError(
            "password", f"گذرواژه باید دست‌کم {persian_digits(MIN_PASSWORD)} نویسه باشد"
        )
    if len(password) > 1024 or text_problem(password, 1024):
        raise InputError("password", "گذرواژه نویسه نامجاز دارد یا بیش از اندازه بلند است")


def check_new_password(password: str) -> None:
    """The office's password rule, checked where a form is filled (no database)."""
    _check_password(password)


@use_case(writes=True)
def set_password(ctx: ServiceContext, user_id: int, password: str) -> None:
    """An administrator sets a user's password; every session of the user ends (U1)."""
    require(ctx, "user.manage")
    _check_password(password)
    now = ctx.now()
    with ctx.tx() as s:
        u = s.get(User, user_id)
        if u is None:
            raise InputError("user_id", "کاربر پیدا نشد")
        u.password_hash = hasher.hash(password)
        ended = revoke_user_sessions(s, u.id, now, "password")
        audit(s, ctx, "user.password", "user", u.id, after={"sessions_ended": ended})


# not atomic: a wrong old password's count in the sign-in throttle is committed, not rolled
# back with the refusal (the API runs an atomic use case in one transaction)
@use_case(writes=True, server=("source",), atomic=False)
def change_own_password(
    ctx: ServiceContext, old: str, new: str, source: str = "password-change"
) -> None:
    """Anyone signed in changes their own password, knowing the old one (checked and throttled
    as a sign-in is: per account, and per `source` — the client's address, which only the
    server gives); every session of the user ends, desk tokens and web sessions alike (this
    one too: sign in again with the new password — the web opens him a new one), and every
    one-time code still unused (a sign-in's or a reset's) is spent."""
    require(ctx, "password.own")
    _check_password(new)
    check_credentials(ctx, ctx.actor.username, old, source=source)
    now = ctx.now()
    with ctx.tx() as s:
        u = s.get(User, ctx.actor.user_id)
        if u is None:
            raise RuleViolation({"U1"})
        u.password_hash = hasher.hash(new)
        ended = revoke_user_sessions(s, u.id, now, "password")
        s.execute(
            update(OneTimeCode)
            .where(OneTimeCode.user_id == u.id, OneTimeCode.used_at.is_(None))
            .values(used_at=now)
        )
        audit(s, ctx, "user.password", "user", u.id, after={"sessions_ended": ended})


@use_case(writes=True)
def set_active(ctx: ServiceContext, user_id: int, active: bool) -> None:
    """An administrator disables (or enables again) a user; a disabled user's sessions end at
    once and no sign-in succeeds."""
    require(ctx, "user.manage")
    if user_id == ctx.actor.user_id and not active:
        raise InputError("user_id", "مدیر نمی‌تواند حساب خود را غیرفعال کند")
    now = ctx.now()
    with ctx.tx() as s:
        u = s.get(User, user_id)
        if u is None:
            raise InputError("user_id", "کاربر پیدا نشد")
        before = u.active
        u.active = bool(active)
        ended = 0 if active else revoke_user_sessions(s, u.id, now, "disabled")
        audit(
            s,
            ctx,
            "user.active",
            "user",
            u.id,
            before={"active": before},
            after={"active": u.active, "sessions_ended": ended},
        )


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    full_name: str
    role: str
    active: bool
    engineer_id: int | None
    membership_no: str | None
    has_password: bool
    live_sessions: int  # signed in now (desk or web)
    created_at: datetime


@use_case(writes=False)
def list_users(ctx: ServiceContext) -> list[UserRow]:
    """The office's users for the administrator: role, standing, whether signed in now."""
    require(ctx, "user.manage")
    now = ctx.now()
    live = (
        select(func.count())
        .where(
            AuthSession.user_id == User.id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
            AuthSession.idle_until > now,
        )
        .scalar_subquery()
    )
    with ctx.read() as s:
        rows = s.execute(
            select(
                User.id,
                User.username,
                User.full_name,
                User.role,
                User.active,
                User.engineer_id,
                Engineer.membership_no,
                User.password_hash.is_not(None),
                live,
                User.created_at,
            )
            .outerjoin(Engineer, Engineer.id == User.engineer_id)
            .order_by(User.role, User.username)
        ).all()
    return [UserRow(*r) for r in rows]
