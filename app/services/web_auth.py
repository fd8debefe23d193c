"""The engineers' web sign-in (issue 13): by membership number and password, with a one-time SMS
code as a second step when the office turns it on (`organization.web_sms_code`), a forgotten
password reset through a code sent to the registered mobile, and the pace of stand and cancel.

- The password step is `sessions.check_credentials`: the same throttling (atomic counters
  judged by the database's clock), the same uniform answers, the same argon2 work for a known
  and an unknown number. Failures of a number that names a user count under that user's name
  (a desk's and the web's guesses add up); an unknown number is counted under its own key and
  locks after as many guesses (a lock confirms nothing).
- A code is six random digits, sent at once through the server's gateway (not the outbox's
  round); only its HMAC under the server's key is stored, with a salt; it expires after
  `CODE_LIFETIME`, allows `CODE_ATTEMPTS` tries (counted by one atomic UPDATE) and is used once.
  Wrong codes also count as failed sign-ins of the account and of the source address.
- Sending codes is limited per account and per source (`SENDS_PER_ACCOUNT`, `SENDS_PER_SOURCE`
  in `SEND_WINDOW`), and a reset request answers the same whether or not the number is known.
- The session waiting for its code cannot be used for anything (`verified` false); the code
  ends it and starts a new one with a new token (the session rotates).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..db.models import (
    AuthSession,
    Engineer,
    LoginThrottle,
    OneTimeCode,
    OrganizationSettings,
    User,
)
from ..domain.errors import InputError, RuleViolation
from ..domain.text import normalize_code, normalize_digits, text_problem
from ..keys import ServerKey
from .context import Actor, ServiceContext, audit
from .permissions import require
from .registry import use_case
from .sessions import (
    ACCOUNT_FAILURES,
    ADDRESS_FAILURES,
    WRONG,
    SignedIn,
    Throttled,
    _count_failure,
    _locked,
    _open_session,
    _source,
    check_credentials,
    hasher,
    revoke_user_sessions,
    token_hash,
)

CODE_LIFETIME = timedelta(minutes=5)
CODE_ATTEMPTS = 5
PENDING = timedelta(minutes=10)  # a session waiting for its code
SEND_WINDOW = timedelta(minutes=15)
SENDS_PER_ACCOUNT, SENDS_PER_SOURCE = 3, 20
# stand and cancel: per engineer, and per source address (a carrier's NAT puts many phones
# behind one address: generous)
ACT_WINDOW = timedelta(minutes=1)
ACTS_PER_ENGINEER, ACTS_PER_SOURCE = 20, 1_000

BAD_CODE = "کد پیامکی نادرست است یا مهلت آن گذشته است؛ دوباره بکوشید یا کد تازه بخواهید (U1)"
TOO_MANY_SENDS = (
    "پیامک‌های کد برای این حساب یا این نشانی بیش از اندازه درخواست شده است؛ "
    "پس از ۱۵ دقیقه دوباره بکوشید (U1)"
)
TOO_FAST = "درخواست‌های ثبت و لغو کاندیداتوری بیش از اندازه پرشتاب است؛ یک دقیقه بعد بکوشید"
NO_GATEWAY = "فرستادن پیامک در سرور دفتر خاموش است؛ برای ورود با واحد ارجاع تماس بگیرید"
NO_MOBILE = "شماره همراهی برای شما ثبت نشده است؛ برای ثبت آن با واحد عضویت تماس بگیرید"
NOT_SENT = "پیامک کد فرستاده نشد (سامانه پیامک پاسخ نداد)؛ چند لحظه بعد کد تازه بخواهید"
RESET_SENT = (
    "اگر این شماره عضویت در سامانه ثبت باشد و شماره همراهی داشته باشد، "
    "کد بازیابی به همان شماره همراه فرستاده شد"
)


class CodeNotSent(RuleViolation):
    """The gateway did not take the code (or there is none, or no mobile to send to)."""

    def __init__(self, message: str) -> None:
        super().__init__({"U1"}, message)


class TooMany(Throttled):
    """A rate limit (SMS codes, stand and cancel): HTTP 429 with its own words."""

    def __init__(self, message: str) -> None:
        RuleViolation.__init__(self, {"U1"}, message)


@dataclass(frozen=True)
class CodeSent:
    mobile_hint: str  # 0912•••4567
    expires_at: Any


def _membership_no(value: object) -> str:
    if not isinstance(value, str) or text_problem(value, 64):
        return ""
    return normalize_code(normalize_digits(value))[:32]


def _member_user(ctx: ServiceContext, no: str) -> tuple[str | None, str | None]:
    """The user name of the engineer whose membership number is `no` (active, engineer role)
    and his registered mobile; (None, None) for a number that names no such user."""
    if not no:
        return None, None
    with ctx.read() as s:
        row = s.execute(
            select(User.username, Engineer.mobile)
            .join(Engineer, Engineer.id == User.engineer_id)
            .where(Engineer.membership_no == no, User.role == "engineer", User.active)
            .order_by(User.id)
            .limit(1)
        ).first()
    return (row[0], row[1]) if row is not None else (None, None)


DEVICE_MAC_CHARS = 32


def device_token(key: ServerKey, username: str) -> str:
    """A browser's mark after a verified sign-in (a long-lived cookie): a random name and
    its HMAC under the server's key, bound to the account — the browser cannot make one,
    nor use one for another account."""
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}.{_device_mac(key, username, nonce)}"


def _device_mac(key: ServerKey, username: str, nonce: str) -> str:
    data = f"{username.casefold()}|{nonce}".encode()
    return key.mac_hex("device", data)[:DEVICE_MAC_CHARS]


def device_key(key: ServerKey, username: str | None, token: object) -> str | None:
    """The throttle key of a browser this account signed in from (`device_token`), or None
    for anything else (absent, malformed, another account's, forged)."""
    if not username or not isinstance(token, str) or not 20 <= len(token) <= 80:
        return None
    nonce, _, mac = token.partition(".")
    if not nonce or not hmac.compare_digest(mac, _device_mac(key, username, nonce)):
        return None
    return f"device:{nonce}"


def _account_key(username: str | None, no: str) -> str:
    return f"user:{username.casefold()}" if username else f"member:{no or '?'}"


def _hint(mobile: str) -> str:
    return f"{mobile[:4]}•••{mobile[-4:]}" if len(mobile) >= 8 else "•••"


def _mac(ctx: ServiceContext, salt: str, code: str) -> str:
    return ctx.server_key().mac_hex("sms-code", f"{salt}:{code}".encode())


def second_step_on(s) -> bool:
    return bool(s.scalar(select(OrganizationSettings.web_sms_code).limit(1)))


@use_case(writes=False)
def web_sms_code_on(ctx: ServiceContext) -> bool:
    """Whether the office asks engineers for a one-time SMS code after the password."""
    require(ctx, "organization.read")
    with ctx.read() as s:
        return second_step_on(s)


@use_case(writes=True)
def set_web_sms_code(ctx: ServiceContext, on: bool) -> None:
    """The administrator turns the web's SMS second step on or off (organization settings)."""
    require(ctx, "organization.edit")
    if not isinstance(on, bool):
        raise InputError("on", "مقدار روشن یا خاموش لازم است")
    now = ctx.now()
    with ctx.tx() as s:
        row = s.scalar(select(OrganizationSettings).order_by(OrganizationSettings.id).limit(1))
        if row is None:
            row = OrganizationSettings(updated_at=now)
            s.add(row)
        before = bool(row.web_sms_code)
        row.web_sms_code, row.updated_at, row.updated_by = on, now, ctx.actor.username
        s.flush()
        ended = 0
        if on and not before:  # every engineer's session opened by his password alone ends now
            ended = s.execute(  # (desk or API tokens, and web sessions of before the switch)
                update(AuthSession)
                .where(
                    AuthSession.revoked_at.is_(None),
                    AuthSession.user_id.in_(select(User.id).where(User.role == "engineer")),
                )
                .values(revoked_at=now, revoked_why="second-step")
            ).rowcount
        audit(
            s,
            ctx,
            "organization.web_sms_code",
            "organization",
            row.id,
            before={"web_sms_code": before},
            after={"web_sms_code": on, "engineer_sessions_ended": ended},
        )


def _send_limits(ctx: ServiceContext, account: str, source: str) -> None:
    """One more code sent for `account` from `source`, or TooMany (counted before sending)."""
    _rate_limit(
        ctx,
        ((f"sms:{account}", SENDS_PER_ACCOUNT), (f"sms:addr:{_source(source)}", SENDS_PER_SOURCE)),
        SEND_WINDOW,
        TOO_MANY_SENDS,
    )


def _rate_limit(
    ctx: ServiceContext, limits: tuple[tuple[str, int], ...], window: timedelta, why: str
) -> None:
    """One more act counted under each (key, how many a window allows), atomically by the
    database (the sign-in throttle's counters); TooMany(why) once any key is over."""
    with ctx.tx() as s:
        if _locked(s, tuple(key for key, _ in limits)):
            raise TooMany(why)
        over = False
        for key, allowed in limits:
            over |= _count_failure(s, key, allowed + 1, window, window)
    if over:
        raise TooMany(why)


def _issue_code(
    ctx: ServiceContext,
    user_id: int,
    username: str,
    mobile: str,
    purpose: str,
    source: str,
    gateway: Any,
    session_id: int | None = None,
) -> CodeSent:
    """A fresh code: stored as its keyed hash, every earlier unused code of the same purpose
    (and session) spent, then sent at once through the gateway."""
    now = ctx.now()
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    with ctx.tx() as s:
        spent = update(OneTimeCode).where(
            OneTimeCode.user_id == user_id,
            OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None),
        )
        s.execute(spent.values(used_at=now))
        row = OneTimeCode(
            user_id=user_id,
            purpose=purpose,
            session_id=session_id,
            salt=salt,
            code_mac=_mac(ctx, salt, code),
            mobile_hint=_hint(mobile),
            source=_source(source),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
            attempts=0,
        )
        s.add(row)
        s.flush()
        code_id = row.id
        who = ctx.as_actor(Actor(username, "engineer", user_id))
        audit(
            s,
            who,
            "sms.code",
            "user",
            user_id,
            after={"purpose": purpose, "to": row.mobile_hint, "source": _source(source)},
        )
    words = "ورود به کارتابل نظارت" if purpose == "sign_in" else "بازیابی گذرواژه کارتابل نظارت"
    text = f"کد {words}: {code}\nتا ۵ دقیقه معتبر است. این کد را به هیچ‌کس ندهید."
    try:
        ref = gateway.send(mobile, text, f"otp-{code_id}")
    except Exception as exc:
        with ctx.tx() as s:
            s.execute(update(OneTimeCode).where(OneTimeCode.id == code_id).values(used_at=now))
        raise CodeNotSent(NOT_SENT) from exc
    with ctx.tx() as s:
        s.execute(
            update(OneTimeCode)
            .where(OneTimeCode.id == code_id)
            .values(gateway_ref=str(ref)[:64] if ref is not None else None)
        )
    return CodeSent(_hint(mobile), now + CODE_LIFETIME)


def _new_session(
    ctx: ServiceContext, actor: Actor, source: str, verified: bool
) -> tuple[str, int, Any]:
    """A web session: a pending one (before the SMS code) lives only `PENDING`."""
    return _open_session(ctx, actor, "web", source, verified, None if verified else PENDING)


@use_case(writes=True, remote=False, server=("gateway",))
def member_sign_in(
    ctx: ServiceContext,
    membership_no: str,
    password: str,
    source: str = "",
    gateway: Any = None,
    device: str | None = None,
) -> SignedIn:
    """A web session for an engineer's membership number and password (U1, the same words
    for a wrong password and an unknown number). When the office asks for the second step, the
    session waits for the SMS code sent now (`needs_code`) and the token only confirms it.
    `device`: the browser's mark from an earlier sign-in of this account (`device_token`):
    throttled on its own, past the account's and the address's locks."""
    no = _membership_no(membership_no)
    username, mobile = _member_user(ctx, no)
    known = device_key(ctx.server_key(), username, device)
    actor = check_credentials(
        ctx,
        username or "",
        password if isinstance(password, str) else "",
        source,
        account_key=_account_key(username, no),
        device_key=known,
    )
    if actor.role != "engineer" or actor.engineer_id is None:
        raise RuleViolation({"U1"}, WRONG)
    with ctx.read() as s:
        needs_code = second_step_on(s)
        # wrong codes lock the account with the right password too, until the lockout ends
        if needs_code and _locked(s, (_code_key(known or _account_key(actor.username, "")),)):
            raise Throttled()
    if not needs_code:
        token, _, expires = _new_session(ctx, actor, source, verified=True)
        return SignedIn(token, actor, expires, False)
    if gateway is None:
        raise CodeNotSent(NO_GATEWAY)
    if not mobile:
        raise CodeNotSent(NO_MOBILE)
    _send_limits(ctx, _account_key(actor.username, no), source)
    token, sid, expires = _new_session(ctx, actor, source, verified=False)
    _issue_code(ctx, actor.user_id or 0, actor.username, mobile, "sign_in", source, gateway, sid)
    return SignedIn(token, actor, expires, True)


def _pending(ctx: ServiceContext, token: str) -> tuple[int, Actor, str | None] | None:
    """The session waiting for its code: (id, actor, mobile), or None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    now = ctx.now()
    with ctx.read() as s:
        row = s.execute(
            select(
                AuthSession.id,
                User.username,
                User.role,
                User.id,
                User.engineer_id,
                Engineer.mobile,
            )
            .join(User, User.id == AuthSession.user_id)
            .join(Engineer, Engineer.id == User.engineer_id)
            .where(
                AuthSession.token_hash == token_hash(token),
                AuthSession.kind == "web",
                AuthSession.verified.is_(False),
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
                User.active,
            )
        ).first()
    if row is None:
        return None
    sid, username, role, uid, eid, mobile = row
    return sid, Actor(username, role, uid, eid), mobile


def _try_code(
    ctx: ServiceContext, user_id: int, purpose: str, code: str, session_id: int | None = None
) -> int | None:
    """The id of the live code of `purpose` that `code` is, spent now; None otherwise. Each
    try counts (one atomic UPDATE … WHERE attempts < limit), the right code too."""
    now = ctx.now()
    typed = normalize_digits(code).strip() if isinstance(code, str) else ""
    with ctx.tx() as s:
        q = select(OneTimeCode.id).where(
            OneTimeCode.user_id == user_id,
            OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        if session_id is not None:
            q = q.where(OneTimeCode.session_id == session_id)
        cid = s.scalar(q.order_by(OneTimeCode.id.desc()).limit(1))
        if cid is None:
            return None
        counted = s.execute(
            update(OneTimeCode)
            .where(OneTimeCode.id == cid, OneTimeCode.attempts < CODE_ATTEMPTS)
            .values(attempts=OneTimeCode.attempts + 1)
            .returning(OneTimeCode.salt, OneTimeCode.code_mac, OneTimeCode.attempts)
        ).first()
        if counted is None:  # its tries are spent
            s.execute(update(OneTimeCode).where(OneTimeCode.id == cid).values(used_at=now))
            return None
        salt, mac, _ = counted
        ok = (
            len(typed) == 6
            and typed.isdigit()
            and secrets.compare_digest(_mac(ctx, salt, typed), mac)
        )
        if not ok:
            return None
        spent = s.execute(
            update(OneTimeCode)
            .where(OneTimeCode.id == cid, OneTimeCode.used_at.is_(None))
            .values(used_at=now)
        ).rowcount
        return cid if spent == 1 else None


def _failed(ctx: ServiceContext, account: str, where: str, code: bool = False) -> None:
    """A failure counted for the account and where it came from (the source address's key,
    or a known browser's, which is then the account key too: counted once); `code`: a wrong
    SMS code, counted under the account's code key too (`_code_key`), which a right password
    does not clear."""
    with ctx.tx() as s:
        _count_failure(s, account, ACCOUNT_FAILURES)
        if where != account:
            _count_failure(s, where, ADDRESS_FAILURES)
        if code:
            _count_failure(s, _code_key(account), ACCOUNT_FAILURES)


def _code_key(account: str) -> str:
    """Wrong sign-in codes of an account: the password step clears the account's own count
    (`check_credentials`), so whoever holds the password could otherwise guess four codes,
    sign in again and guess four more; five wrong codes lock the account for the lockout."""
    return f"code:{account}"[:200]


@use_case(writes=True, remote=False)
def confirm_sign_in(
    ctx: ServiceContext, token: str, code: str, source: str = "", device: str | None = None
) -> SignedIn:
    """The second step: the SMS code of the session waiting for it. The waiting session ends
    and a new one starts with a new token (rotated); a wrong code counts as a failed sign-in
    (`device`: of that browser alone, as at the password step)."""
    pending = _pending(ctx, token)
    if pending is None:
        raise RuleViolation({"U1"}, BAD_CODE)
    sid, actor, _ = pending
    known = device_key(ctx.server_key(), actor.username, device)
    account = known or _account_key(actor.username, "")
    where = known or f"addr:{_source(source)}"
    with ctx.read() as s:
        if _locked(s, (account, _code_key(account), where)):
            raise Throttled()
    if _try_code(ctx, actor.user_id or 0, "sign_in", code, sid) is None:
        _failed(ctx, account, where, code=True)
        raise RuleViolation({"U1"}, BAD_CODE)
    now = ctx.now()
    with ctx.tx() as s:
        s.execute(delete(LoginThrottle).where(LoginThrottle.key == _code_key(account)))
        s.execute(
            update(AuthSession)
            .where(AuthSession.id == sid)
            .values(revoked_at=now, revoked_why="verified")
        )
    fresh, _, expires = _new_session(ctx, actor, source, verified=True)
    return SignedIn(fresh, actor, expires, False)


@use_case(writes=True, remote=False, server=("gateway",))
def resend_sign_in_code(
    ctx: ServiceContext, token: str, source: str = "", gateway: Any = None
) -> CodeSent:
    """A new code for the session waiting for one (the earlier one is spent), within the
    limits of codes sent per account and per source."""
    pending = _pending(ctx, token)
    if pending is None:
        raise RuleViolation({"U1"}, BAD_CODE)
    sid, actor, mobile = pending
    if gateway is None:
        raise CodeNotSent(NO_GATEWAY)
    if not mobile:
        raise CodeNotSent(NO_MOBILE)
    _send_limits(ctx, _account_key(actor.username, ""), source)
    return _issue_code(
        ctx, actor.user_id or 0, actor.username, mobile, "sign_in", source, gateway, sid
    )


@use_case(writes=True, remote=False, server=("gateway",))
def request_reset(
    ctx: ServiceContext, membership_no: str, source: str = "", gateway: Any = None
) -> str:
    """A forgotten password, or the first one: a code to the registered mobile of the number's
    engineer (a member without a login gets one, `_first_account`). The answer is the same
    whether or not the number is known or has a mobile (RESET_SENT); requests are limited per
    number and per source either way."""
    if gateway is None:
        raise CodeNotSent(NO_GATEWAY)
    no = _membership_no(membership_no)
    if not no:
        raise InputError("membership_no", "شماره عضویت را وارد کنید")
    username, mobile = _member_user(ctx, no)
    _send_limits(ctx, _account_key(username, no), source)
    if username is None:
        username, mobile = _first_account(ctx, no)
    if username is None or not mobile:
        return RESET_SENT
    with ctx.read() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
    try:
        _issue_code(ctx, uid or 0, username, mobile, "reset", source, gateway)
    except CodeNotSent:
        raise
    return RESET_SENT


def _first_account(ctx: ServiceContext, no: str) -> tuple[str | None, str | None]:
    """A member with a registered mobile and no login at all gets one, without a password,
    so that the code sent to that mobile sets his first (the web's first sign-in: a province's
    members are imported, not given accounts one by one). A member whose login an
    administrator disabled, or who has none and no mobile, gets nothing. (None, None) then."""
    try:
        with ctx.tx() as s:
            row = s.execute(
                select(Engineer.id, Engineer.mobile, Engineer.first_name, Engineer.last_name)
                .where(Engineer.membership_no == no)
                .limit(1)
            ).first()
            if row is None or not row.mobile:
                return None, None
            username = f"member-{no}"[:64]
            taken = (User.engineer_id == row.id) | (User.username == username)
            if s.scalar(select(User.id).where(taken).limit(1)) is not None:
                return None, None
            u = User(
                username=username,
                full_name=f"{row.first_name} {row.last_name}".strip() or no,
                role="engineer",
                engineer_id=row.id,
                password_hash=None,  # no sign-in until the code sets one
                created_at=ctx.now(),
            )
            s.add(u)
            s.flush()
            who = ctx.as_actor(Actor(username, "engineer", u.id, row.id))
            audit(
                s,
                who,
                "user.create",
                "user",
                u.id,
                after={"username": username, "role": "engineer", "how": "first_sign_in"},
            )
    except IntegrityError:  # the same member's other request made it a moment before
        return _member_user(ctx, no)
    return username, row.mobile


@use_case(writes=True, remote=False)
def reset_password(
    ctx: ServiceContext, membership_no: str, code: str, new_password: str, source: str = ""
) -> None:
    """A new password with the code sent to the registered mobile; every session of the user
    ends. A wrong code, an unknown number and an expired code get the same refusal, and count
    as failed sign-ins of the number and of the source."""
    from .users import _check_password

    _check_password(new_password)
    no = _membership_no(membership_no)
    username, _ = _member_user(ctx, no)
    account, where = _account_key(username, no), f"addr:{_source(source)}"
    with ctx.read() as s:
        if _locked(s, (account, where)):
            raise Throttled()
        uid = s.scalar(select(User.id).where(User.username == username)) if username else None
    if uid is None or _try_code(ctx, uid, "reset", code) is None:
        _failed(ctx, account, where)
        raise RuleViolation({"U1"}, BAD_CODE)
    now = ctx.now()
    with ctx.tx() as s:
        u = s.get(User, uid)
        assert u is not None
        u.password_hash = hasher.hash(new_password)
        ended = revoke_user_sessions(s, uid, now, "password")
        who = ctx.as_actor(Actor(u.username, u.role, u.id, u.engineer_id))
        audit(s, who, "user.password_reset", "user", uid, after={"sessions_ended": ended})


def _change_password(ctx: ServiceContext, old: str, new: str, source: str = "") -> SignedIn:
    """The web's own password change (ASVS 2.1.5): `users.change_own_password` — the old
    password checked and throttled as a sign-in from `source`, every session of his ended
    (the desks' tokens and his other browsers), his unused codes spent — then a new web
    session for this browser with a new token (the session rotates). Not a use case of its
    own: the web's page over that one."""
    from .users import change_own_password

    change_own_password(ctx, old, new, source=source)
    token, _, expires = _new_session(ctx, ctx.actor, source, verified=True)
    return SignedIn(token, ctx.actor, expires, False)


@use_case(writes=True, remote=False)
def pace(ctx: ServiceContext, engineer_id: int, source: str = "") -> None:
    """One more stand or cancel by this engineer from this source, or TooMany (a rate limit
    per engineer and per source address, counted atomically by the database)."""
    require(ctx, "candidacy.stand", engineer_id)
    _rate_limit(
        ctx,
        (
            (f"act:eng:{engineer_id}", ACTS_PER_ENGINEER),
            (f"act:addr:{_source(source)}", ACTS_PER_SOURCE),
        ),
        ACT_WINDOW,
        TOO_FAST,
    )
