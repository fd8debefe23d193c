"""The engineers' web site (issue 13): Persian, right to left, rendered on the server, htmx for
the cartable's partial updates. Every view calls services only; the actor is the session's
engineer and the time the server's clock. An engineer's own pages take no engineer id from the
request, so changing an id in a URL or a form reaches nothing of another engineer's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token

from app.domain.calendar import jalali_year, local_date
from app.domain.codes import GROUP_FA, GROUPS
from app.domain.digits import persian_digits
from app.domain.errors import InputError, RuleViolation
from app.domain.rules_fa import RULE_TEXT_FA
from app.domain.text import ZWNJ, normalize_code, normalize_digits, normalize_text, parse_number
from app.services import (
    candidacy,
    engineers,
    member,
    papers,
    sessions,
    users,
    web_auth,
)
from app.services import (
    public as public_services,
)
from app.services.dto import DeclarationIn, WhyNot
from app.services.sessions import Throttled

from .clock import arrived
from .site_base import (
    FieldError,
    actor_of,
    actor_quietly,
    after_post,
    allow,
    context,
    device_of,
    drop_cookie,
    drop_flash,
    engineer,
    error_page,
    form_text,
    guarded,
    has_control,
    htmx,
    mark_device,
    page,
    public,
    reading,
    redirect,
    refusal,
    safe_next,
    server,
    set_cookie,
    source,
    system,
    take_flash,
    token_of,
)

# U1's uniform answer, in the words of the web's form (it asks for the membership number, not
# a user name): the same for an unknown number and a wrong password, as the service decides
WRONG_WEB = "شماره عضویت یا گذرواژه نادرست است (U1)"

# ---------------------------------------------------------------- signing in and out


@guarded
@allow("GET", "POST")
def login(request: HttpRequest) -> HttpResponse:
    nxt = safe_next(request.POST.get("next") or request.GET.get("next"))
    if reading(request):
        if actor_of(request) is not None:
            return redirect(request, nxt)
        data: dict = {"next": nxt}
        if take_flash(request) == "reset":  # the reset's answer, after its redirect (PRG)
            data["note"] = "گذرواژه تازه ثبت شد؛ با آن وارد شوید"
        elif request.GET.get("lost") == "1":  # his last form came after his session ended
            data["lost"] = True
        elif token_of(request) is not None:  # his browser still holds a session that ended
            data["ended"] = True
        elif nxt != "/":  # a page of his asked for a sign-in
            data["asked"] = True
        return drop_flash(request, page(request, "site/login.html", data))
    srv = server(request)
    values = {"next": nxt, "membership_no": request.POST.get("membership_no", "")[:40]}
    # both fields checked, each refused one marked (aria-invalid), not only the first
    checked: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, most in (("membership_no", 32), ("password", 1024)):
        try:
            checked[name] = form_text(request, name, most)
        except FieldError as exc:
            errors[name] = exc.message
    if errors:
        words = "؛ ".join(errors.values())
        return page(request, "site/login.html", {**values, "error": words, "errors": errors}, 400)
    no, password = checked["membership_no"], checked["password"]
    try:
        signed = web_auth.member_sign_in(
            system(request),
            no,
            password,
            source(request),
            gateway=srv.sms_gateway,
            device=device_of(request),
        )
    except Throttled as exc:
        response = page(request, "site/login.html", {**values, "error": exc.message}, 429)
        response.headers["Retry-After"] = "900"
        return response
    except RuleViolation as exc:
        wrong = exc.message == sessions.WRONG
        words = WRONG_WEB if wrong else exc.message
        return page(request, "site/login.html", {**values, "error": words}, 401 if wrong else 409)
    old = token_of(request)
    if old:  # the browser's earlier session ends: one live session per sign-in
        sessions.sign_out(system(request), old)
        srv.sessions.forget()
    rotate_token(request)  # a new CSRF secret with the new session
    if signed.needs_code:
        response = redirect(request, f"/login/code?next={nxt}")
        set_cookie(request, response, signed.token, pending=True)
        drop_cookie(request, response)
        return response
    response = redirect(request, nxt)
    set_cookie(request, response, signed.token)
    drop_cookie(request, response, pending=True)
    mark_device(request, response, signed.actor.username)
    return response


@guarded
@allow("GET", "POST")
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: the one-time code sent by SMS."""
    nxt = safe_next(request.POST.get("next") or request.GET.get("next"))
    pending = token_of(request, pending=True)
    if pending is None:
        return redirect(request, "/login")
    sent_to = _code_sent_to(request, pending)
    if reading(request):
        return page(request, "site/login_code.html", {"next": nxt, "sent_to": sent_to})
    srv = server(request)
    if request.POST.get("resend"):
        try:
            sent = web_auth.resend_sign_in_code(
                system(request), pending, source(request), gateway=srv.sms_gateway
            )
        except RuleViolation as exc:
            status = 429 if isinstance(exc, Throttled) else 409
            return page(
                request,
                "site/login_code.html",
                {"next": nxt, "error": exc.message, "sent_to": sent_to},
                status,
            )
        note = f"کد تازه به {sent.mobile_hint} فرستاده شد"
        data = {"next": nxt, "note": note, "sent_to": sent.mobile_hint}
        return page(request, "site/login_code.html", data)
    try:
        code = form_text(request, "code", 12)
        if not normalize_digits(code).strip().isdigit() or len(code.strip()) != 6:
            raise FieldError("code", "باید شش رقم باشد")
    except FieldError as exc:
        data = {"next": nxt, "error": exc.message, "sent_to": sent_to}
        return page(request, "site/login_code.html", data, 400)
    try:
        signed = web_auth.confirm_sign_in(
            system(request), pending, code, source(request), device=device_of(request)
        )
    except RuleViolation as exc:
        status = 429 if isinstance(exc, Throttled) else 401
        data = {"next": nxt, "error": exc.message, "sent_to": sent_to}
        return page(request, "site/login_code.html", data, status)
    rotate_token(request)
    response = redirect(request, nxt)
    set_cookie(request, response, signed.token)
    drop_cookie(request, response, pending=True)
    mark_device(request, response, signed.actor.username)
    return response


def _code_sent_to(request: HttpRequest, pending: str) -> str:
    """The masked mobile (0912•••4567) the waiting session's code went to: his registered
    one, read with the session; "" when the session no longer waits."""
    try:
        waiting = web_auth._pending(system(request), pending)
    except Exception:  # the page is shown either way; the hint is a courtesy
        return ""
    mobile = waiting[2] if waiting else None
    return web_auth._hint(mobile) if mobile else ""


@guarded
@allow("POST", hint="برای خروج، دکمه «خروج» بالای صفحه را بزنید.")
def logout(request: HttpRequest) -> HttpResponse:
    for pending in (False, True):
        token = token_of(request, pending)
        if token:
            sessions.sign_out(system(request), token)
    server(request).sessions.forget()
    response = redirect(request, "/login?out=1")
    drop_cookie(request, response)
    drop_cookie(request, response, pending=True)
    return response


@guarded
@allow("GET", "POST")
def forgot(request: HttpRequest) -> HttpResponse:
    """A forgotten password: a code to the registered mobile (the same answer for any number)."""
    if reading(request):
        return page(request, "site/forgot.html", {})
    try:
        no = form_text(request, "membership_no", 32)
    except FieldError as exc:
        return page(request, "site/forgot.html", {"error": exc.message}, 400)
    try:
        web_auth.request_reset(
            system(request), no, source(request), gateway=server(request).sms_gateway
        )
    except RuleViolation as exc:
        status = 429 if isinstance(exc, Throttled) else 409
        return page(
            request, "site/forgot.html", {"error": exc.message, "membership_no": no}, status
        )
    # Post/Redirect/Get: a reload of the reset form sends no second code; the number he typed
    # goes with the one-time note (a signed cookie), the answer the same for any number
    return after_post(request, "/forgot/reset", f"sent:{normalize_code(normalize_digits(no))}")


@guarded
@allow("GET", "POST")
def reset(request: HttpRequest) -> HttpResponse:
    """The new password with the code sent (the form after /forgot; "send again" posts to
    /forgot, within its limits)."""
    if reading(request):
        kind, _, no = (take_flash(request) or "").partition(":")
        data = {"membership_no": no}
        if kind == "sent":
            data["note"] = web_auth.RESET_SENT
        return drop_flash(request, page(request, "site/reset.html", data))
    values = {"membership_no": request.POST.get("membership_no", "")[:40]}
    try:
        no = form_text(request, "membership_no", 32)
        code = form_text(request, "code", 12)
        new = form_text(request, "new_password", 1024)
        again = form_text(request, "new_password2", 1024)
        if new != again:
            raise FieldError("new_password2", "با گذرواژه تازه یکی نیست")
        web_auth.reset_password(system(request), no, code, new, source(request))
    except (InputError, RuleViolation) as exc:
        status, words = refusal(exc)
        return page(request, "site/reset.html", {**values, "error": words}, status)
    server(request).sessions.forget()
    return after_post(request, "/login", "reset")  # a reload posts nothing again (PRG)


# ---------------------------------------------------------------- his own password (U1)

PASSWORD_FIELDS = ("old_password", "new_password", "new_password2")
PASSWORD_CHANGED = (
    "گذرواژه شما تغییر کرد. همه نشست‌های دیگر شما — در مرورگرهای دیگر و میزهای دفتر — پایان "
    "یافت و از این پس با گذرواژه تازه وارد می‌شوید؛ این مرورگر با نشستی تازه وارد ماند."
)


@engineer
@allow("GET", "POST")
def password(request: HttpRequest, actor) -> HttpResponse:
    """He changes his own password: the current one (checked and throttled as a sign-in is),
    the new one twice. Every other session of his ends; this browser gets a new session
    (a new token and a new CSRF secret)."""
    if reading(request):
        data = {"ok": PASSWORD_CHANGED if take_flash(request) == "password" else ""}
        return drop_flash(request, page(request, "site/password.html", data))
    checked: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in PASSWORD_FIELDS:
        try:
            checked[name] = form_text(request, name, 1024)
        except FieldError as exc:
            errors[name] = exc.message
    old, new, again = (checked.get(n, "") for n in PASSWORD_FIELDS)
    if "new_password" not in errors and new:
        if len(new) < users.MIN_PASSWORD:
            words = f"دست‌کم {persian_digits(users.MIN_PASSWORD)} نویسه لازم است"
            errors["new_password"] = FieldError("new_password", words).message
        elif old and new == old:
            words = "همان گذرواژه کنونی است؛ گذرواژه دیگری برگزینید"
            errors["new_password"] = FieldError("new_password", words).message
    if "new_password2" not in errors and new and again != new:
        errors["new_password2"] = FieldError("new_password2", "با گذرواژه تازه یکی نیست").message
    status = 400
    if not errors:
        try:
            server(request).guard.require()
            signed = web_auth._change_password(context(request, actor), old, new, source(request))
        except Throttled as exc:
            response = page(request, "site/password.html", {"error": exc.message}, 429)
            response.headers["Retry-After"] = "900"
            return response
        except RuleViolation as exc:
            if exc.message != sessions.WRONG:
                raise
            errors["old_password"] = FieldError("old_password", "نادرست است (U1)").message
        except InputError as exc:  # the office's password rule, as the service says it
            field = exc.field if exc.field in PASSWORD_FIELDS else "new_password"
            errors[field] = FieldError(field, exc.message).message
        else:
            server(request).sessions.forget()
            rotate_token(request)  # a new CSRF secret with the new session
            response = after_post(request, "/password", "password")  # PRG
            set_cookie(request, response, signed.token)
            return response
    words = "؛ ".join(errors.values())
    return page(request, "site/password.html", {"error": words, "errors": errors}, status)


# ---------------------------------------------------------------- the cartable (C1–C6)


def _cartable_data(request: HttpRequest, actor) -> dict:
    ctx = context(request, actor)
    me = actor.engineer_id
    # one transaction, his state loaded once: the rows (or what keeps him out), his
    # candidacies at risk (A1) and C5's count (a cancel only below the day's limit)
    got = member._cartable_page(ctx, me)
    items, blocks, cancels = got.items, got.blocks, got.cancels
    if any(b.rule == "G3" for b in blocks):  # a renewal already asked for: say so (F5)
        waiting = member.renewal_waiting(member.membership_status(ctx, me).years)
        if waiting is not None:
            words = member.renewal_remedy(waiting)
            blocks = [WhyNot(b.rule, words) if b.rule == "G3" else b for b in blocks]
    standing = sum(i.standing for i in items)
    # A1: a candidacy the deadline's re-check would set aside as things stand (his
    # declaration changed, his capacity gone): its card says so, and why
    at_risk = {a.referral_id: a for a in got.at_risk}
    return {
        "items": items,
        "blocks": blocks,
        "standing": standing,
        "cancels_today": cancels,
        "at_risk": at_risk,
        "results": got.results,  # what the last day's deadlines decided for him
    }


@engineer
@allow("GET")
def cartable(request: HttpRequest, actor) -> HttpResponse:
    data = _cartable_data(request, actor)
    if htmx(request):
        return page(request, "site/_cartable.html", data)
    done = _acted(take_flash(request) or "")
    if done is not None:  # a stand or cancel without script, after its redirect (PRG)
        action, referral_id, at = done
        data.update(ok=ACTED_OK[action], acted_at=at)
        data["acted"] = next((i for i in data["items"] if i.referral_id == referral_id), None)
    return drop_flash(request, page(request, "site/cartable.html", data))


ACTED_OK = {
    "stand": "کاندیداتوری شما ثبت شد",
    "cancel": "کاندیداتوری شما لغو شد؛ برای این ارجاع دیگر لغوی ندارید (C4)",
}


def _acted(flash: str):
    """(action, referral, server time) of the note a stand or cancel left (`act`), or None."""
    action, _, rest = flash.partition(":")
    rid, _, stamp = rest.partition(":")
    if action not in ACTED_OK or not rid.isdigit():
        return None
    try:
        at = datetime.fromtimestamp(float(stamp), UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return action, int(rid), at


@engineer
@allow("POST", back="/")  # a stand without script leaves this address in the bar
def act(request: HttpRequest, actor, referral_id: int, action: str) -> HttpResponse:
    """Stand (C1–C4) or cancel (C3–C5): the server's clock decides; the answer names the
    rules in Persian. htmx gets the cartable's list back, a plain form the whole page."""
    if action not in ("stand", "cancel"):
        return not_found(request)
    srv = server(request)
    # judged at the server's instant the request arrived (C3: a stand at 19:59:59 counts),
    # read before the session's touch and the rate limit's counter, which may wait on the
    # database: the services' clock answers that instant for this stand or cancel
    at = arrived(request)
    ctx = context(request, actor, at)
    status, ok, error = 200, "", ""
    try:
        srv.guard.require()
        web_auth.pace(ctx, actor.engineer_id, source(request))
        if action == "stand":
            candidacy.stand(ctx, actor.engineer_id, referral_id)
        else:
            candidacy.cancel(ctx, actor.engineer_id, referral_id)
        ok = ACTED_OK[action]
    except (RuleViolation, InputError) as exc:
        status, error = refusal(exc)
        if isinstance(exc, RuleViolation) and "C2" in exc.rules:
            error = _c2_in_message(request, actor, referral_id, error)
    if ok and not htmx(request):  # a plain form: Post/Redirect/Get, a reload posts nothing
        return after_post(request, "/", f"{action}:{referral_id}:{at.timestamp()}")
    data = {**_cartable_data(request, actor), "ok": ok, "error": error, "acted_at": at}
    data["acted"] = next((i for i in data["items"] if i.referral_id == referral_id), None)
    template = "site/_cartable.html" if htmx(request) else "site/cartable.html"
    response = page(request, template, data, status)
    if htmx(request) and status != 200:
        response.status_code = 200  # htmx swaps only 2xx; the words say it was refused
        response.headers["X-Refused"] = str(status)
    return response


@engineer
@allow("GET")
def why_not(request: HttpRequest, actor) -> HttpResponse:
    """ "Why is this not in my cartable?" for a file number (for himself only)."""
    typed = request.GET.get("file_no", "")
    # one form whatever the keyboard typed (Persian or Arabic-Indic digits, Arabic letters,
    # a dash of any kind, invisible marks): the page echoes it in Persian digits
    file_no = normalize_code(typed[:40])
    data: dict = {"file_no": file_no}
    if typed.strip():
        if len(typed) > 40:
            return page(
                request,
                "site/why_not.html",
                {**data, "error": "«شماره پرونده»: بیش از ۴۰ نویسه است"},
                400,
            )
        try:
            rows = candidacy.why_not_file(context(request, actor), actor.engineer_id, file_no)
            data["rows"] = _c2_in_rows(request, actor, rows)
        except InputError as exc:
            return page(request, "site/why_not.html", {**data, "error": exc.message}, 400)
    return page(request, "site/why_not.html", data)


# C2 as the rules text says it («این ارجاع در کارتابل مهندس نیست») answers «why is it not in
# my cartable?» with «because it is not in the cartable», in the third person: on the web, to
# the engineer himself, it says what C2 asks of him — the project's group missing from his
# declaration when that is the cause — or, when the other rules listed explain it, goes
C2_TEXT = RULE_TEXT_FA["C2"]
C2_NEEDS = (
    "ارجاعی به کارتابل شما می‌رسد که همه شرط‌های توزیع را داشته باشید: گروه ساختمانی پروژه در "
    "خوداظهاری امسال شما باشد و هیچ‌یک از قاعده‌های دیگر شما را از آن بازندارد"
)


def _group_missing(request: HttpRequest, actor, referral_id: int, decl) -> str | None:
    """The referral's building group when his declaration of this year leaves it out (C2's
    own condition), "" when it does not, None when the referral cannot be read."""
    try:
        heading = public_services._referral_heading(context(request, None), referral_id)
    except Exception:  # a number that names no referral: C2's words are its own then
        return None
    if decl is None or heading.group in decl.groups:
        return ""
    return heading.group


def _c2_words(missing: str | None, others: bool) -> str | None:
    """C2's line for him (None: left out, the other rules say why)."""
    if missing:
        group = GROUP_FA.get(missing, missing)
        return (
            f"گروه ساختمانی این پروژه (گروه {group}) در گروه‌های خوداظهاری امسال شما نیست؛ "
            "برای چنین ارجاع‌هایی آن را در خوداظهاری بیفزایید"
        )
    if others and missing == "":
        return None
    return C2_NEEDS


def _c2_in_rows(request: HttpRequest, actor, rows: list) -> list:
    """«چرا نه؟»'s rows with C2's generic line said for him (see `C2_TEXT`)."""
    if not any(w.rule == "C2" and w.message == C2_TEXT for r in rows for w in r.reasons):
        return rows
    decl = member.my_declaration(context(request, actor), actor.engineer_id)
    out = []
    for r in rows:
        if not any(w.rule == "C2" and w.message == C2_TEXT for w in r.reasons):
            out.append(r)
            continue
        missing = _group_missing(request, actor, r.referral_id, decl)
        words = _c2_words(missing, len(r.reasons) > 1)
        reasons = tuple(
            (WhyNot("C2", words) if w.rule == "C2" and w.message == C2_TEXT else w)
            for w in r.reasons
            if not (w.rule == "C2" and w.message == C2_TEXT and words is None)
        )
        out.append(replace(r, reasons=reasons))
    return out


def _c2_in_message(request: HttpRequest, actor, referral_id: int, message: str) -> str:
    """A stand's refusal with C2's generic part said for him (see `C2_TEXT`)."""
    parts = message.split("؛ ")
    generic = f"{C2_TEXT} (C2)"
    if generic not in parts:
        return message
    decl = member.my_declaration(context(request, actor), actor.engineer_id)
    words = _c2_words(_group_missing(request, actor, referral_id, decl), len(parts) > 1)
    kept = [p if p != generic else f"{words} (C2)" for p in parts if p != generic or words]
    return "؛ ".join(kept)


# ---------------------------------------------------------------- his state, referrals, messages


@engineer
@allow("GET")
def state(request: HttpRequest, actor) -> HttpResponse:
    ctx = context(request, actor)
    st = member.member_state(ctx, actor.engineer_id)
    today = local_date(server(request).now())
    licence_days = (st.licence_expires - today).days if st.licence_expires else None
    return page(
        request,
        "site/state.html",
        {"st": st, "licence_days": licence_days, "today": today},
    )


@engineer
@allow("GET")
def my_referrals(request: HttpRequest, actor) -> HttpResponse:
    ctx = context(request, actor)
    rows = member.my_referrals(ctx, actor.engineer_id)
    return page(
        request,
        "site/referrals.html",
        {
            "selected": [r for r in rows if r.state == "selected"],
            "signed": [r for r in rows if r.state in ("signed", "completed")],
            "gone": [r for r in rows if r.state in ("withdrawn", "no_show")],
            "signing": member.signing_place(ctx),
            "now": server(request).now(),
        },
    )


@engineer
@allow("GET")
def messages(request: HttpRequest, actor) -> HttpResponse:
    rows = member.my_notifications(context(request, actor), actor.engineer_id)
    return page(request, "site/messages.html", {"rows": rows})


# ---------------------------------------------------------------- declaration (C1), membership (F5)


DECLARATION_FIELDS = ("ready", "groups", "supervision_percent", "rules_accepted")
PERCENT_WORDS = (
    "باید عددی از ۰ تا ۱۰۰ باشد، تنها با رقم و در صورت نیاز ممیز و دو رقم اعشار "
    "(مثلاً ۴۰ یا ۳۷٫۵)؛ علامت مثبت و منفی یا نماد علمی پذیرفته نیست"
)
_PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]{1,2})?", re.ASCII)


def supervision_share(typed: str) -> Decimal | None:
    """The declaration's supervision share as typed, or None: plain decimal digits of any
    script (Persian, Arabic-Indic, full-width…), with `٫` or `.` and at most two decimals,
    from 0 to 100. No sign, exponent, separator or word: «1e2», «-0», «+5», «inf» and
    «۱٬۰» are refused, not read as 100, 0, 5 or 10."""
    text = normalize_digits(typed).strip().replace("٫", ".")
    plain = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)
    if not _PLAIN_DECIMAL.fullmatch(plain):
        return None
    value = parse_number(plain)
    return value if value is not None and 0 <= value <= 100 else None


@engineer
@allow("GET", "POST")
def declaration(request: HttpRequest, actor) -> HttpResponse:
    ctx = context(request, actor)
    year = jalali_year(local_date(server(request).now()))
    current = member.my_declaration(ctx, actor.engineer_id)
    data = {
        "year": year,
        "current": current,
        "groups_all": GROUPS,
        "figures": member._rules_figures(ctx),  # the rules text's figures: the policy's
    }
    if reading(request):
        data["ok"] = take_flash(request) == "declaration" and current is not None
        # A1: his candidacies the deadline would set aside under this declaration, and why
        data["at_risk"] = member._candidacies_at_risk(ctx, actor.engineer_id)
        # S2, S7: ready with a supervision share of 0 is a capacity of 0 — nothing can reach him
        data["no_capacity"] = (
            current is not None and current.ready and current.supervision_percent <= 0
        )
        return drop_flash(request, page(request, "site/declaration.html", data))
    form = {
        "ready": request.POST.get("ready"),
        "groups": request.POST.getlist("groups"),
        "percent": request.POST.get("supervision_percent", "")[:20],
        "rules_accepted": request.POST.get("rules_accepted") == "yes",
    }
    # every field is checked, each refusal tied to its field (the page marks each one)
    problems: dict[str, str] = {}
    ready = form["ready"] == "yes"
    if form["ready"] not in ("yes", "no"):
        problems["ready"] = "یکی از دو گزینه را برگزینید"
    groups = tuple(g for g in GROUPS if g in form["groups"])
    if set(form["groups"]) - set(GROUPS) or len(form["groups"]) > len(GROUPS):
        problems["groups"] = "گروه نامعتبر است"
    elif ready and not groups:
        problems["groups"] = "دست‌کم یک گروه را برگزینید"
    percent = supervision_share(form["percent"])
    if percent is None:
        problems["supervision_percent"] = PERCENT_WORDS
    if not form["rules_accepted"]:
        problems["rules_accepted"] = "بدون پذیرش قوانین، خوداظهاری ثبت نمی‌شود (C1)"
    errors = {field: FieldError(field, why).message for field, why in problems.items()}
    try:
        server(request).guard.require()
        if errors or percent is None:
            raise InputError(*next(iter(errors.items())))
        engineers.submit_declaration(
            ctx,
            actor.engineer_id,
            DeclarationIn(year, ready, True, groups, percent),
        )
    except (InputError, RuleViolation) as exc:
        status, words = refusal(exc)
        if isinstance(exc, InputError) and exc.field in DECLARATION_FIELDS:
            errors.setdefault(exc.field, exc.message)  # a service's refusal of one field
        if errors:
            words = "؛ ".join(errors.values())
        return page(
            request,
            "site/declaration.html",
            {**data, "form": form, "error": words, "errors": errors},
            status,
        )
    return after_post(request, "/declaration", "declaration")  # a reload re-posts nothing


@engineer
@allow("GET", "POST")
def membership(request: HttpRequest, actor) -> HttpResponse:
    ctx = context(request, actor)
    ok = error = ""
    status = 200
    if request.method == "POST":
        try:
            server(request).guard.require()
            raw = normalize_digits(request.POST.get("year", "")).strip()
            if not raw.isdigit() or len(raw) != 4:
                raise FieldError("year", "سال را چهار رقمی وارد کنید")
            year = int(raw)
            before = member.membership_status(ctx, actor.engineer_id)
            if any(y.year == year and y.status == "requested" for y in before.years):
                # the same request again (a second press, a form left open): nothing new
                return after_post(request, "/membership", f"pending:{year}")
            engineers.request_renewal(ctx, actor.engineer_id, year)
            return after_post(request, "/membership", f"renewal:{year}")
        except (InputError, RuleViolation) as exc:
            status, error = refusal(exc)
    else:
        flash = take_flash(request) or ""
        kind, _, year_text = flash.partition(":")
        if kind == "renewal" and year_text.isdigit():
            ok = (
                f"درخواست تمدید عضویت سال {year_text} ثبت شد؛ پس از تأیید مبلغ در امور مالی، "
                "پرداخت انجام می‌شود"
            )
        elif kind == "pending" and year_text.isdigit():
            ok = (
                f"درخواست تمدید عضویت سال {year_text} پیش‌تر ثبت شده و در انتظار تأیید مبلغ در "
                "امور مالی است؛ درخواست دوباره‌ای ثبت نشد"
            )
    ms = member.membership_status(ctx, actor.engineer_id)
    waiting = member.renewal_waiting(ms.years)
    data = {"ms": ms, "ok": ok, "error": error, "waiting": waiting}
    return drop_flash(request, page(request, "site/membership.html", data, status))


# ---------------------------------------------------------------- public pages (C6, A10)


@public
@allow("GET")
def board(request: HttpRequest) -> HttpResponse:
    rows = public_services.referral_board(context(request, None))
    return page(request, "site/board.html", {"rows": rows})


def _int_id(value: str, field: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise FieldError(field, "شماره نامعتبر است")
    return int(value)


@public
@allow("GET")
def candidates(request: HttpRequest, referral_id: int) -> HttpResponse:
    ctx = context(request, None)
    # a number that names no referral is 404 «ارجاعی با این شماره نیست» (NotFound)
    board_row = next(iter(public_services.referral_board(ctx, referral_id)), None)
    # its round does not run now: its file and discipline, and the run that decided it
    closed = public_services._referral_heading(ctx, referral_id) if board_row is None else None
    rows = candidacy.candidates(ctx, referral_id)
    # its deadline passed and the run not yet made: the candidates still wait for it; once
    # decided, the list is the run's (losers stay "active" until the winner signs: not shown
    # here as if they still stood, nor «no candidate» when they are closed)
    awaiting = (  # a forced round has no candidates (A6): what is left of earlier ones is not
        closed is not None
        and closed.status == "open"
        and closed.running == "candidacy"
        and bool(rows)
    )
    me = getattr(request, "nz_actor", None)
    return page(
        request,
        "site/candidates.html",
        {
            "rows": rows if board_row is not None or awaiting else [],
            "ref": board_row,
            "closed": closed,
            "awaiting": awaiting,
            "referral_id": referral_id,
            "mine": me.engineer_id if me else None,
        },
    )


@public
@allow("GET")
def no_referral(request: HttpRequest, junk: str) -> HttpResponse:
    """/board/0, /board/-1, /board/abc: not a referral's number (its pattern, `_Id`, took
    none of them) — said as for a number that names none (docs/web.md)."""
    return error_page(request, 404, "پیدا نشد", NO_REFERRAL)


NO_REFERRAL = "ارجاعی با این شماره نیست"


@public
@allow("GET")
def runs(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("from", "0")
    offset = _int_id(raw, "run") if raw else 0
    rows = public_services.published_runs(context(request, None), offset)
    return page(
        request,
        "site/runs.html",
        {"rows": rows, "offset": offset, "more": len(rows) == public_services.PAGE},
    )


@public
@allow("GET")
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    """A published run: an index of its decisions, a search by file or membership number
    (?q=, on the server: no script needed), and each decision's ranked list folded
    (<details>), open when it matches the search. A ranked list shows its first lines
    (`RUN_TOP`: the winner first), his own line and the lines the search found; the whole
    list is one link away (?decision=<referral>&all=1), the JSON document unchanged — a
    forced pool of hundreds is not sent to every phone."""
    sheet = public_services.run_sheet(context(request, None), run_id)
    me = getattr(request, "nz_actor", None)
    mine = me.engineer_id if me else None
    # what was typed, cut to the field's length and in one form (digits of any script, Arabic
    # ي/ك, invisible marks): searched with, and echoed in Persian digits
    q = normalize_digits(normalize_text(request.GET.get("q", "")[:RUN_QUERY_MAX]))
    one = request.GET.get("decision", "")
    if one:  # one decision with its whole ranked list
        wanted = _int_id(one[:12], "referral")
        block = next((b for b in sheet.blocks if b.referral_id == wanted), None)
        if block is None:
            return not_found(request)
        shown = [_Shown(block, True, block.ranked, (), 0)]
        return page(
            request,
            "site/run.html",
            {
                "sheet": sheet,
                "mine": mine,
                "q": "",
                "q_max": RUN_QUERY_MAX,
                "blocks": shown,
                "found": None,
                "decision": block,
            },
        )
    blocks = [(b, bool(q) and _run_match(b, q)) for b in sheet.blocks]
    chosen = [x for x in blocks if x[1]] if q else blocks
    shown = [_shown(b, hit, q, mine) for b, hit in chosen]
    return page(
        request,
        "site/run.html",
        {
            "sheet": sheet,
            "mine": mine,
            "q": q,
            "q_max": RUN_QUERY_MAX,
            "blocks": shown,
            "found": len(shown) if q else None,
            "top": RUN_TOP,
        },
    )


RUN_QUERY_MAX = 30  # a file number, a membership number or a name: the search field's length
RUN_TOP = 10  # a ranked list's first lines on the run page; the rest a link away


@dataclass(frozen=True)
class _Shown:
    """One decision on the run page: its first lines, the lines beyond them shown all the same
    (his own, the search's), and how many are left for the whole list's page."""

    b: Any
    hit: bool
    top: tuple
    extra: tuple
    hidden: int


def _shown(block, hit: bool, q: str, mine: int | None) -> _Shown:
    ranked = tuple(block.ranked)
    top, rest = ranked[:RUN_TOP], ranked[RUN_TOP:]
    extra = tuple(x for x in rest if x.winner or x.engineer_id == mine or (q and _person(x, q)))
    return _Shown(block, hit, top, extra, len(rest) - len(extra))


def _person(x, q: str) -> bool:
    """A published line that is the membership number typed, or whose name holds it."""
    code = normalize_code(q)
    if code and normalize_code(x.membership_no or "") == code:
        return True
    name = _name_key(q)
    return len(name) >= 2 and name in _name_key(x.name or "")


def _run_match(block, q: str) -> bool:
    """A decision matches a file number (or part of it), a candidate's membership number, or
    a part of a candidate's name (typed with Persian or Arabic ی/ک, a space or a ZWNJ)."""
    code = normalize_code(q)
    if code and code in normalize_code(block.file_no or ""):
        return True
    return any(_person(x, q) for x in (*block.ranked, *block.set_aside))


def _name_key(text: str) -> str:
    return normalize_text(text).replace(ZWNJ, " ")


@public
@allow("GET")
def run_decisions(request: HttpRequest, run_id: int) -> HttpResponse:
    data = public_services.run_decisions(context(request, None), run_id)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="run-{run_id}-decisions.json"'
    return response


@public
@allow("GET")
def verify(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The check of a printed paper's code (typed, or the QR's link /verify/<code>)."""
    typed = code if code is not None else request.GET.get("code", "")
    if has_control(typed):  # a NUL in the QR's link: refused, never written back
        return page(
            request,
            "site/verify.html",
            {"code": "", "error": "«کد رهگیری» نویسه کنترلی نامعتبر دارد و پذیرفته نیست"},
            400,
        )
    data: dict = {"code": typed[:60]}
    if not typed.strip():
        return page(request, "site/verify.html", data)
    if len(typed) > 60:
        return page(
            request,
            "site/verify.html",
            {**data, "error": "«کد رهگیری» بیش از اندازه بلند است"},
            400,
        )
    found = papers.verify_paper(context(request, None), typed)
    return page(request, "site/verify.html", {**data, "found": found, "checked": True})


# ---------------------------------------------------------------- errors


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    request.nz_actor = actor_quietly(request)  # type: ignore[attr-defined]
    return error_page(request, 404, "صفحه پیدا نشد", "نشانی‌ای که باز کردید در این سامانه نیست.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django could not read (a form of more than 1,000 fields, a broken
    multipart body): in Persian, as every other refusal — JSON for the API."""
    words = "درخواست خوانده نشد (شکل یا اندازه آن نادرست است)؛ چیزی ثبت نشد."
    if request.path.startswith("/api/"):  # the API's own answer, in its own form
        from .api import refused_body

        return refused_body(words)
    request.nz_actor = actor_quietly(request)  # type: ignore[attr-defined]
    return error_page(request, 400, "درخواست نامعتبر", words)


def server_error(request: HttpRequest) -> HttpResponse:
    request.nz_actor = actor_quietly(request)  # type: ignore[attr-defined]
    return error_page(
        request, 500, "خطای سرور", "کار شما انجام نشد و خطا برای پشتیبانی دفتر ثبت شد."
    )
