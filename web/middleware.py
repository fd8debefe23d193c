"""Headers every answer carries: the content security policy and the server's own time (the
desk shows countdowns by it; nothing the server decides ever reads a client's time)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .django_setup import CSP


def server_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["Cache-Control"] = response.headers.get("Cache-Control", "no-store")
        server = request.META.get("nezarat.server")
        if server is not None:
            response.headers["X-Server-Time"] = server.now().isoformat()
        return response

    return middleware
