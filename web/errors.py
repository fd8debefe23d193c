"""Answers for what went wrong, in Persian, never with a stack trace (that goes to the log)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"kind": "csrf", "message": "درخواست بدون نشانه امنیتی معتبر رسید (CSRF)"},
            status=403,
        )
    if request.headers.get("HX-Request") == "true":  # the cartable's script shows it in place
        from .site_base import htmx_error

        return htmx_error(
            403,
            "نشانه امنیتی صفحه کهنه شده است",
            "شاید در زبانه یا پنجره دیگری خارج و دوباره وارد شده‌اید؛ با بارگیری دوباره صفحه "
            "نشانه تازه می‌شود.",
        )
    return HttpResponse(
        "<!doctype html><html lang='fa' dir='rtl'><meta charset='utf-8'>"
        "<title>درخواست نامعتبر</title><h1>درخواست نامعتبر</h1>"
        "<p>نشانه امنیتی فرم منقضی شده یا نادرست است. صفحه را دوباره باز کنید و از نو بفرستید.</p>"
        "</html>",
        status=403,
        content_type="text/html; charset=utf-8",
    )
