"""Users and roles (U1) with argon2id password hashes."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..db.models import User
from ..domain.errors import InputError, RuleViolation
from .context import Actor, ServiceContext, audit
from .permissions import require

ROLES = ("admin", "clerk", "finance", "manager", "engineer")
_hasher = PasswordHasher()


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
    with ctx.tx() as s:
        if s.scalar(select(User.id).where(User.username == username)):
            raise InputError("username", "این نام کاربری قبلاً ثبت شده است")
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


def authenticate(ctx: ServiceContext, username: str, password: str) -> Actor:
    """Log in; a wrong name or password gets the same Persian message."""
    with ctx.tx() as s:
        u = s.scalar(select(User).where(User.username == username, User.active))
        try:
            if u is None or u.password_hash is None:
                raise VerificationError
            _hasher.verify(u.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise RuleViolation({"U1"}, "نام کاربری یا گذرواژه نادرست است (U1)") from None
        if _hasher.check_needs_rehash(u.password_hash):
            u.password_hash = _hasher.hash(password)
        return Actor(u.username, u.role, u.id, u.engineer_id)


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
