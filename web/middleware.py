"""Headers every answer carries: the content security policy and the server's own time (the
desk shows countdowns by it; nothing the server decides ever reads a client's time); and the
access log IT reads (`nezarat.access`: address, method, path, status, milliseconds, user —
never a body, a password or a token)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .django_setup import CSP

access = logging.getLogger("nezarat.access")
SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")  # what the CSRF check lets through anyway


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


def server_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        access.info(
            "%s %s %s %s %.0fms %s",
            request.META.get("REMOTE_ADDR", "-"),
            request.method,
            request.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
            getattr(request, "nezarat_user", "-"),
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
