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
    # an ordinary form (the declaration, a renewal, a sign-in, a stand without script): the
    # site's own error page — its header and menu, a way back to the form — saying plainly
    # that nothing was recorded and what to do
    from .site_base import actor_quietly, back_of, error_page

    request.nz_actor = actor_quietly(request)  # type: ignore[attr-defined]
    return error_page(request, 403, CSRF_TITLE, CSRF_WORDS, back=back_of(request))


CSRF_TITLE = "چیزی ثبت نشد"
CSRF_WORDS = (
    "چیزی ثبت نشد: نشانه امنیتی این فرم کهنه یا نادرست بود — شاید صفحه مدتی باز مانده یا در "
    "زبانه یا پنجره دیگری خارج و دوباره وارد شده‌اید. صفحه را دوباره باز کنید و فرم را از نو "
    "بفرستید."
)
