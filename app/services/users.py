"""Users and roles (U1) with argon2id password hashes."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..db.models import Engineer, User
from ..domain.errors import InputError, RuleViolation
from ..domain.text import check_texts, text_problem
from .context import Actor, ServiceContext, audit
from .permissions import require
from .registry import use_case

ROLES = ("admin", "clerk", "finance", "manager", "engineer")
_hasher = PasswordHasher()


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
    check_texts(("username", username, 64), ("full_name", full_name, 200))
    if not username.strip():
        raise InputError("username", "نام کاربری خالی است")
    with ctx.tx() as s:
        if s.scalar(select(User.id).where(User.username == username)):
            raise InputError("username", "این نام کاربری قبلاً ثبت شده است")
        if engineer_id is not None and s.get(Engineer, engineer_id) is None:
            raise InputError("engineer_id", "مهندسی که کاربر به او وصل شود پیدا نشد")
        u = User(
            username=username,
            full_name=full_name,
            role=role,
            engineer_id=engineer_id,
            password_hash=_hasher.hash(password) if password else None,
            created_at=ctx.now(),
        )
        s.add(u)
        s.flush()
        audit(s, ctx, "user.create", "user", u.id, after={"username": username, "role": role})
        return Actor(username, role, u.id, engineer_id)


MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
WRONG = "نام کاربری یا گذرواژه نادرست است (U1)"


@use_case(writes=True, remote=False)
def authenticate(ctx: ServiceContext, username: str, password: str) -> Actor:
    """Log in with argon2id (rehashed when the parameters have grown); after
    MAX_FAILED_LOGINS wrong passwords in a row the account is locked for LOCKOUT.
    A wrong name and a wrong password get the same Persian message."""
    now = ctx.now()
    if not isinstance(username, str) or text_problem(username, 64):
        raise RuleViolation({"U1"}, WRONG)  # no such user could exist
    refusal: RuleViolation | None = None
    with ctx.tx() as s:  # the failure count is committed, then the refusal raised
        u = s.scalar(select(User).where(User.username == username, User.active))
        if u is not None and u.locked_until is not None and u.locked_until > now:
            refusal = RuleViolation({"U1"}, "حساب به علت ورودهای نادرست پیاپی موقتاً قفل است (U1)")
        else:
            try:
                if u is None or u.password_hash is None:
                    raise VerificationError
                _hasher.verify(u.password_hash, password)
            except (VerificationError, InvalidHashError):
                refusal = RuleViolation({"U1"}, WRONG)
                if u is not None:
                    u.failed_logins += 1
                    if u.failed_logins >= MAX_FAILED_LOGINS:
                        u.locked_until, u.failed_logins = now + LOCKOUT, 0
                        audit(
                            s,
                            ctx.as_actor(Actor(u.username, u.role, u.id)),
                            "user.locked",
                            "user",
                            u.id,
                            after={"until": u.locked_until.isoformat()},
                        )
            else:
                u.failed_logins, u.locked_until = 0, None
                if _hasher.check_needs_rehash(u.password_hash):
                    u.password_hash = _hasher.hash(password)
                actor = Actor(u.username, u.role, u.id, u.engineer_id)
    if refusal is not None:
        raise refusal
    return actor


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
            password_hash=_hasher.hash(password) if password else None,
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
