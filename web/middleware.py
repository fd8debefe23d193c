"""Headers every answer carries: the content security policy and the server's own time (the
desk shows countdowns by it; nothing the server decides ever reads a client's time); and the
access log IT reads (`nezarat.access`: address, method, path, status, milliseconds, user,
user agent — never a body, a password or a token; every field with its control characters
escaped, so a newline in a URL cannot write a forged line); and the site's own limits on what
a form may send (`site_refusal`: a small body, no control characters), before any view or the
CSRF check reads it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .django_setup import CSP
from .log_text import loggable

access = logging.getLogger("nezarat.access")
SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")  # what the CSRF check lets through anyway


SITE_BODY_LIMIT = 64 * 1024  # a site form's body (the JSON API keeps Django's 40 MB limit)


def methods_first(request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
    """A page's method is checked before its CSRF token: `PUT /declaration` or `DELETE /` is
    405 with `Allow` (the Persian page), not a 403 «درخواست نامعتبر». Runs as this
    middleware's `process_view`, ahead of CsrfViewMiddleware's; a page's methods are what its
    `site_base.allow` says (`nz_allow`)."""
    spec = getattr(view, "nz_allow", None)
    if spec is None or request.method in SAFE:
        return None
    from .site_base import allowed, method_refused

    methods, back, hint = spec
    if allowed(methods, request.method):
        return None
    return method_refused(request, methods, back, hint)


def site_refusal(request: HttpRequest) -> HttpResponse | None:
    """A site page's request refused before anything reads it (the JSON API has limits of
    its own): a body over `SITE_BODY_LIMIT` is 413, a control character in a field's name or
    value 400 — each the Persian error page (`web.site_base.form_refused`)."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return None
    from .site_base import form_refused

    return form_refused(request, SITE_BODY_LIMIT)


def site_limits(get_response: Callable[[HttpRequest], HttpResponse]):
    """`site_refusal` as a middleware of its own, after CsrfViewMiddleware's cookie is read
    (the refusal's page carries a token that works) and before its check reads the form."""

    def middleware(request: HttpRequest) -> HttpResponse:
        return site_refusal(request) or get_response(request)

    return middleware


def server_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        access.info(
            '%s %s %s %s %.0fms %s "%s"',
            loggable(request.META.get("REMOTE_ADDR", "-"), 64),
            loggable(request.method, 16),
            loggable(request.path),
            response.status_code,
            (time.perf_counter() - started) * 1000,
            loggable(getattr(request, "nezarat_user", "-"), 64),
            loggable(request.META.get("HTTP_USER_AGENT", "-"), 200),
        )
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["Cache-Control"] = response.headers.get("Cache-Control", "no-store")
        if not response.streaming and "Content-Length" not in response.headers:
            response.headers["Content-Length"] = str(len(response.content))
        server = request.META.get("nezarat.server")
        if server is not None:
            response.headers["X-Server-Time"] = server.now().isoformat()
        return response

    middleware.process_view = methods_first  # type: ignore[attr-defined]
    return middleware
