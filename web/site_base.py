"""What every page of the engineers' web site shares: who is signed in (a `web` session whose
token is in an HttpOnly cookie), the contexts the services run in (the actor from the session,
the time from the server's clock — never from the request), Persian answers for every refusal,
and an error page instead of a stack trace (the trace goes to the server's log)."""

from __future__ import annotations

import functools
import logging
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string

from app.domain.errors import InputError, NotFound, RuleViolation
from app.domain.text import field_fa
from app.services import web_auth
from app.services.context import SYSTEM, Actor, DatabaseUnavailable, ServiceContext
from app.services.sessions import Throttled
from app.services.wire import ServerRefused

from .clock import ArrivalClock
from .log_text import loggable

log = logging.getLogger("nezarat.web")

PUBLIC = Actor("public", "public")
# How long before a web session ends unused (`sessions.IDLE["web"]`, 30 minutes) the cartable
# warns of it, with a button that keeps it (issue 13: an engineer watching the countdown)
SESSION_WARNING = timedelta(minutes=5)
COOKIE = "nz_web"  # the session's token (HttpOnly, SameSite=Lax, Secure behind TLS)
PENDING_COOKIE = "nz_code"  # the token of a session waiting for its SMS code
TLS_COOKIE, TLS_PENDING = "__Host-nz_web", "__Host-nz_code"  # the prefix: Secure, Path=/, no Domain
# a browser he signed in from (web_auth.device_token): its sign-ins are throttled on their own
DEVICE_COOKIE, TLS_DEVICE = "nz_device", "__Host-nz_device"
DEVICE_DAYS = 365

FIELD_WORDS = {  # the form fields' Persian names, for "«…» is required" and the like
    "membership_no": "شماره عضویت",
    "password": "گذرواژه",
    "new_password": "گذرواژه تازه",
    "new_password2": "تکرار گذرواژه تازه",
    "code": "کد پیامکی",
    "file_no": "شماره پرونده",
    "groups": "گروه‌های ساختمانی",
    "supervision_percent": "درصد نظارت",
    "ready": "آمادگی به کار",
    "rules_accepted": "پذیرش قوانین",
    "year": "سال",
    "referral": "ارجاع",
    "run": "اجرای مهلت",
    "paper_code": "کد رهگیری",
    "old_password": "گذرواژه کنونی",
    "q": "جستجو",
    "next": "نشانی بازگشت",
    "from": "از ردیف",
    "decision": "تصمیم",
    "resend": "فرستادن دوباره کد",
    "csrfmiddlewaretoken": "نشانه امنیتی فرم",
}


def field_word(field: str) -> str:
    return FIELD_WORDS.get(field, field_fa(field))


class FieldError(InputError):
    """A form field that is missing or malformed, named in Persian."""

    def __init__(self, field: str, why: str):
        super().__init__(field, f"«{field_word(field)}»: {why}")


def server(request: HttpRequest):
    return request.META["nezarat.server"]


def source(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")[:64]


def tls(request: HttpRequest) -> bool:
    return server(request).tls is not None


def cookie_name(request: HttpRequest, pending: bool = False) -> str:
    if tls(request):
        return TLS_PENDING if pending else TLS_COOKIE
    return PENDING_COOKIE if pending else COOKIE


def token_of(request: HttpRequest, pending: bool = False) -> str | None:
    t = request.COOKIES.get(cookie_name(request, pending))
    return t if t and 20 <= len(t) <= 100 else None


def set_cookie(
    request: HttpRequest, response: HttpResponse, token: str, pending: bool = False
) -> None:
    response.set_cookie(
        cookie_name(request, pending),
        token,
        max_age=600 if pending else None,  # the session's own end is the server's to judge
        path="/",
        secure=tls(request),
        httponly=True,
        samesite="Lax",
    )


def device_of(request: HttpRequest) -> str | None:
    """The browser's mark from an earlier sign-in (checked by the service, not here)."""
    value = request.COOKIES.get(TLS_DEVICE if tls(request) else DEVICE_COOKIE)
    return value if value and len(value) <= 80 else None


def mark_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a verified sign-in: this browser is one he signs in from (a year)."""
    response.set_cookie(
        TLS_DEVICE if tls(request) else DEVICE_COOKIE,
        web_auth.device_token(server(request).key, username),
        max_age=DEVICE_DAYS * 86400,
        path="/",
        secure=tls(request),
        httponly=True,
        samesite="Lax",
    )


def drop_cookie(request: HttpRequest, response: HttpResponse, pending: bool = False) -> None:
    response.delete_cookie(cookie_name(request, pending), path="/", samesite="Lax")


def reading(request: HttpRequest) -> bool:
    """A GET or a HEAD (a HEAD is answered as a GET is; its body is never sent)."""
    return request.method in ("GET", "HEAD")


def actor_of(request: HttpRequest) -> Actor | None:
    """The engineer signed in through this request's cookie, or None. The instant his
    session ends if left unused is kept on the request (`nz_session_ends`: the cartable warns
    before it, and every answer to him says it in `X-Session-Ends`)."""
    token = token_of(request)
    if token is None:
        return None
    found = server(request).sessions.session(token, "web")
    if found is None:
        return None
    actor, ends = found
    if actor.role != "engineer" or actor.engineer_id is None:
        return None
    request.nz_session_ends = ends  # type: ignore[attr-defined]
    return actor


def actor_quietly(request: HttpRequest) -> Actor | None:
    """Who is signed in, for a page that must not fail itself (404, 500, 405): the header as
    on his other pages; any trouble reading the session (the database away) is no one."""
    try:
        return actor_of(request)
    except Exception:  # the error page is shown either way
        log.warning("web: the session could not be read for an error page", exc_info=True)
        return None


_BADGES: dict[tuple[int, int], tuple[str, str, float]] = {}
BADGE_TTL = 60.0


def badge(request: HttpRequest, actor: Actor | None) -> tuple[str, str] | None:
    """(name, membership number) of the signed-in engineer for the header, remembered a
    minute (one read per engineer, not one per page); never fails."""
    if actor is None or actor.engineer_id is None:
        return None
    srv = server(request)
    key, now = (id(srv), actor.engineer_id), time.monotonic()
    hit = _BADGES.get(key)
    if hit is not None and hit[2] > now:
        return hit[0], hit[1]
    from app.services import member

    try:
        name, no = member._badge(context(request, actor), actor.engineer_id)
    except Exception:
        log.warning("web: the header's name could not be read", exc_info=True)
        return None
    if len(_BADGES) > 10_000:
        _BADGES.clear()
    _BADGES[key] = (name, no, now + BADGE_TTL)
    return name, no


def context(
    request: HttpRequest, actor: Actor | None, at: datetime | None = None
) -> ServiceContext:
    """The services' context for this request's actor; with `at` (the server's own instant,
    `arrived`) its clock answers that instant for every call made with it."""
    ctx = server(request).context(actor or PUBLIC)
    return ctx if at is None else replace(ctx, clock=ArrivalClock(at))


def system(request: HttpRequest) -> ServiceContext:
    return server(request).base.as_actor(SYSTEM)


def htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def page(request: HttpRequest, template: str, data: dict[str, Any], status: int = 200):
    srv = server(request)
    me = getattr(request, "nz_actor", None)
    data = {
        "me": me,
        "badge": badge(request, me),
        "server_time": srv.now(),
        "path": request.path,
        "code_limits": CODE_LIMITS,
        # the cartable warns this long before his session ends unused (site.js)
        "session_ends": getattr(request, "nz_session_ends", None) if me else None,
        "session_warn": int(SESSION_WARNING.total_seconds()),
        **data,
    }
    from .templatetags.fa import rule_ids

    html = render_to_string(template, data, request=request)
    head, sep, body = html.partition("</head>")  # the title and the head are left as written
    html = f"{head}{sep}{rule_ids(body)}" if sep else rule_ids(html)
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def _code_limits() -> dict[str, int]:
    """The SMS codes' limits the sign-in pages name (web_auth's own figures)."""
    from app.services import web_auth as w

    return {
        "sends": w.SENDS_PER_ACCOUNT,
        "window": int(w.SEND_WINDOW.total_seconds() // 60),
        "lifetime": int(w.CODE_LIFETIME.total_seconds() // 60),
    }


CODE_LIMITS = _code_limits()


def redirect(request: HttpRequest, to: str) -> HttpResponse:
    if htmx(request):  # htmx follows this header with a full page load
        response = HttpResponse(status=204)
        response.headers["HX-Redirect"] = to
        return response
    return HttpResponseRedirect(to)


FLASH_COOKIE, TLS_FLASH = "nz_flash", "__Host-nz_flash"
FLASH_SALT = "nezarat.web.flash"


def after_post(request: HttpRequest, to: str, flash: str) -> HttpResponse:
    """Post/Redirect/Get: a form that succeeded is answered with 303 to its page, carrying a
    one-time note (`flash`, a short key the page turns into words) in a signed cookie that
    the page's next GET reads and drops — a reload shows the page, not the form again."""
    response = HttpResponseRedirect(to)
    response.status_code = 303
    response.set_signed_cookie(
        TLS_FLASH if tls(request) else FLASH_COOKIE,
        flash,
        salt=FLASH_SALT,
        max_age=120,
        path="/",
        secure=tls(request),
        httponly=True,
        samesite="Lax",
    )
    return response


def take_flash(request: HttpRequest) -> str | None:
    """The one-time note a successful form left for this page (see `after_post`), or None."""
    name = TLS_FLASH if tls(request) else FLASH_COOKIE
    if name not in request.COOKIES:
        return None
    request.nz_flash_taken = True  # type: ignore[attr-defined]
    return request.get_signed_cookie(name, default=None, salt=FLASH_SALT, max_age=120)


def drop_flash(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The note is shown once: the answer that showed it deletes its cookie."""
    if getattr(request, "nz_flash_taken", False):
        name = TLS_FLASH if tls(request) else FLASH_COOKIE
        response.delete_cookie(name, path="/", samesite="Lax")
    return response


def safe_next(value: str | None) -> str:
    """A local path to go back to after signing in (never another site's)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value[:300]


def error_page(
    request: HttpRequest, status: int, title: str, message: str, ref: str = "", back: str = ""
):
    """The Persian error page (the site's header and menu, a way back: `back`, the page the
    refused form belongs to, beside the cartable and the board)."""
    if htmx(request):  # a page's script asked: words it can show in place (site.js)
        return htmx_error(status, title, message, ref)
    data = {"title": title, "message": message, "ref": ref, "status": status, "back": back}
    return page(request, "site/error.html", data, status)


def has_control(text: str) -> bool:
    """A control character (NUL, a newline, DEL, the C1 range…) — never in a field of the
    site's forms, all single lines (a tab is let through: a password may hold one)."""
    return not text.isprintable() and any(
        unicodedata.category(ch) == "Cc" and ch != "\t" for ch in text
    )


def back_of(request: HttpRequest) -> str:
    """The page a refused request came from, to open again: the address itself when it is a
    page (/declaration, /login), else the page its action belongs to (a stand: the
    cartable), else the cartable."""
    from django.urls import Resolver404, resolve

    path = request.path
    if has_control(path) or len(path) > 300:
        return "/"
    try:
        spec = getattr(resolve(path).func, "nz_allow", None)
    except Resolver404:
        return "/"
    if spec is None:
        return "/"
    methods, back, _ = spec
    return path if "GET" in methods else (back or "/")


def form_refused(request: HttpRequest, limit: int) -> HttpResponse | None:
    """A site page's request refused before any view reads it, or None: a body larger than
    `limit` bytes (413; the sign-in's form is a few hundred) or a control character in a
    field's name or value (400, naming the field — what was typed is never shown again)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    writes = not reading(request)
    if length > limit:
        request.nz_actor = actor_quietly(request)  # type: ignore[attr-defined]
        kb = f"{limit // 1024:,}".translate(_FA)
        return error_page(
            request,
            413,
            "فرم بیش از اندازه بزرگ است",
            f"آنچه فرستاده شد از اندازه مجاز فرم‌های این سامانه ({kb} کیلوبایت) بزرگ‌تر است "
            "و خوانده نشد؛ چیزی ثبت نشد. صفحه را دوباره باز کنید و فرم را از نو بفرستید.",
            back=back_of(request),
        )
    fields = list(request.GET.lists())
    if request.method == "POST":
        fields += list(request.POST.lists())
    for name, values in fields:
        if has_control(name) or any(has_control(v) for v in values):
            word = None if has_control(name) else FIELD_WORDS.get(name)
            if name == "code" and request.path.startswith("/verify"):
                word = FIELD_WORDS["paper_code"]  # the paper's code, not the SMS one
            who = f"«{word}»" if word else "یکی از فیلدهای فرم"
            done = "؛ چیزی ثبت نشد" if writes else ""
            request.nz_actor = actor_quietly(request)  # type: ignore[attr-defined]
            return error_page(
                request,
                400,
                "ورودی نادرست",
                f"{who} نویسه کنترلی نامعتبر دارد (نویسه‌ای نادیدنی مانند NUL یا خط تازه) و "
                f"پذیرفته نیست{done}. صفحه را دوباره باز کنید و آن را بدون این نویسه وارد کنید.",
                back=back_of(request),
            )
    return None


def htmx_error(status: int, title: str, message: str, ref: str = "") -> HttpResponse:
    """An error answered to htmx (which swaps no 4xx/5xx): the error page's words as plain
    text, which `site.js` shows in place, in the card whose button was pressed, as an alert
    saying that nothing was recorded and what to do."""
    words = f"{title}: {message}" if message else title
    if ref:
        words += f" (شماره پیگیری: {ref})"
    response = HttpResponse(words, status=status, content_type="text/plain; charset=utf-8")
    response.headers["X-Refused"] = str(status)
    return response


def allowed(methods: tuple[str, ...], method: str | None) -> bool:
    """A page that answers GET answers HEAD too (as Django's view decorators do)."""
    return method in methods or (method == "HEAD" and "GET" in methods)


def method_refused(
    request: HttpRequest, methods: tuple[str, ...], back: str | None = None, hint: str = ""
) -> HttpResponse:
    """The Persian 405 page with `Allow` (or, for an action's address opened again, its page)."""
    if back is not None and reading(request):
        return redirect(request, back)
    if getattr(request, "nz_actor", None) is None:  # the header as on his pages («خروج»)
        request.nz_actor = actor_quietly(request)  # type: ignore[attr-defined]
    if "GET" in methods and "POST" in methods:  # a page with its form (/declaration, /login)
        words = (
            "این صفحه را می‌توان باز کرد و فرم آن را با دکمه‌اش فرستاد؛ "
            "درخواست دیگری به آن پذیرفته نیست."
        )
    elif "GET" in methods:
        words = "این صفحه را تنها می‌توان باز کرد؛ فرستادن درخواست دیگری به آن پذیرفته نیست."
    else:
        words = (
            "این نشانی تنها با دکمه‌های صفحه‌ها به کار می‌آید و باز کردن مستقیم آن کاری انجام نمی‌دهد."
        )
    response = error_page(request, 405, "این درخواست پذیرفته نیست", f"{words} {hint}".strip())
    shown = [m for m in methods for m in ((m, "HEAD") if m == "GET" else (m,))]
    response.headers["Allow"] = ", ".join(dict.fromkeys(shown))
    return response


def allow(*methods: str, back: str | None = None, hint: str = ""):
    """The HTTP methods a page answers (Django's `require_http_methods` answers others with an
    empty 405); a page that answers GET answers HEAD too. Any other method gets the Persian
    error page, 405 with `Allow` — before the CSRF check (`web.middleware.methods_first`
    reads `nz_allow`, which the decorators above copy along). A GET of an action only a form
    posts to — the address a form without script leaves in the bar
    (/referrals/<id>/stand), opened again — goes to the page the action belongs to (`back`),
    as a signed-out engineer is sent to the sign-in page rather than refused."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if allowed(methods, request.method):
                return view(request, *args, **kwargs)
            return method_refused(request, methods, back, hint)

        wrapper.nz_allow = (methods, back, hint)  # type: ignore[attr-defined]
        return wrapper

    return decorate


def refusal(exc: BaseException) -> tuple[int, str]:
    """(HTTP status, Persian words) for what a service refused with; (500, …) otherwise."""
    if isinstance(exc, Throttled):
        return 429, exc.message
    if isinstance(exc, RuleViolation):
        return 409, exc.message
    if isinstance(exc, NotFound):
        return 404, exc.message
    if isinstance(exc, InputError):
        return 400, exc.message
    if isinstance(exc, DatabaseUnavailable):
        return 503, exc.message
    if isinstance(exc, ServerRefused):
        return 503, exc.message
    return 500, ""


def guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No stack trace ever reaches a page: a service's refusal that the view did not answer
    itself is shown in Persian; anything else is logged with a reference and answered with
    the Persian error page naming the reference."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Exception as exc:
            status, words = refusal(exc)
            if status == 500:
                ref = uuid.uuid4().hex[:10]
                log.error("web page %s failed, ref %s", loggable(request.path), ref, exc_info=exc)
                return error_page(
                    request,
                    500,
                    "خطای سرور",
                    "کار شما انجام نشد و خطا برای پشتیبانی دفتر ثبت شد. "
                    "چند لحظه بعد دوباره بکوشید؛ اگر تکرار شد، این شماره را به دفتر بگویید.",
                    ref,
                )
            if reading(request):  # a page opened writes nothing: no «… چیزی ثبت نشد»
                words = words.removesuffix("؛ چیزی ثبت نشد")
            titles = {
                404: "پیدا نشد",
                409: "پذیرفته نشد",
                400: "ورودی نادرست",
                429: "بیش از اندازه",
                503: "سرور موقتاً در دسترس نیست",
            }
            return error_page(request, status, titles.get(status, "پذیرفته نشد"), words)

    return wrapper


def engineer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for a signed-in engineer: else to the sign-in page (and back here after)."""

    @guarded
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        actor = actor_of(request)
        if actor is None:
            if reading(request):
                back = quote(safe_next(request.get_full_path()), safe="/")
                # a browser still waiting for its SMS code goes back to the code's page: a
                # new sign-in would send (and count, U1's limit) another code
                step = "/login/code" if waiting_for_code(request) else "/login"
                return redirect(request, f"{step}?next={back}")
            # a stand, a cancel or a form sent after his session ended: nothing was recorded,
            # and the sign-in page says so (he may otherwise think he stood)
            return redirect(request, "/login?next=/&lost=1")
        request.nz_actor = actor  # type: ignore[attr-defined]
        response = view(request, actor, *args, **kwargs)
        return session_header(request, response)

    return wrapper


def waiting_for_code(request: HttpRequest) -> bool:
    """This browser holds a session that passed its password and waits for its SMS code
    (`nz_code`, still waiting by the server's records); never fails."""
    pending = token_of(request, pending=True)
    if pending is None:
        return False
    try:
        return web_auth._pending(system(request), pending) is not None
    except Exception:  # the sign-in page is the way in either way
        log.warning("web: a waiting sign-in could not be read", exc_info=True)
        return False


def session_header(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The instant his session ends if unused from now (`X-Session-Ends`, the server's clock):
    the cartable's script warns before it and learns the new end from every htmx answer."""
    ends = getattr(request, "nz_session_ends", None)
    if isinstance(ends, datetime):
        response.headers["X-Session-Ends"] = ends.isoformat()
    return response


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for anyone; an engineer signed in sees the same, with himself marked."""

    @guarded
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.nz_actor = actor_of(request)  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def form_text(request: HttpRequest, name: str, max_len: int, required: bool = True) -> str:
    """A posted text field, checked: present (when required), not too long, no control
    characters — or FieldError naming it in Persian."""
    from app.domain.text import text_problem

    value = request.POST.get(name, "")
    if not isinstance(value, str):
        raise FieldError(name, "نامعتبر است")
    if len(value) > max_len:
        raise FieldError(name, f"بیش از {max_len:,} نویسه است".translate(_FA))
    why = text_problem(value, max_len)
    if why:
        raise FieldError(name, why)
    if required and not value.strip():
        raise FieldError(name, "لازم است؛ آن را وارد کنید")
    return value if name in SECRET_FIELDS else value.strip()


SECRET_FIELDS = ("password", "old_password", "new_password", "new_password2")  # as typed


_FA = str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")
