"""Users and roles (U1) with argon2id password hashes."""

from __future__ import annotations

from sqlalchemy import select

from ..db.models import Engineer, User
from ..domain.errors import InputError, RuleViolation
from ..domain.text import check_texts
from .context import Actor, ServiceContext, audit
from .permissions import require
from .registry import use_case
from .sessions import check_credentials, hasher

ROLES = ("admin", "clerk", "finance", "manager", "engineer")


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
            password_hash=hasher.hash(password) if password else None,
            created_at=ctx.now(),
        )
        s.add(u)
        s.flush()
        audit(s, ctx, "user.create", "user", u.id, after={"username": username, "role": role})
        return Actor(username, role, u.id, engineer_id)


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
