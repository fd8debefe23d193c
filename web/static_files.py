"""The site's own static files, served by the office server itself (no CDN, no other host):
the vendored htmx, the style sheet, the countdown script and Vazirmatn (the TTFs the desk and
the papers already ship in resources/fonts, OFL). Each URL carries the file's digest
(`?v=…`), so a browser keeps it for a year and a new version is a new URL."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse

HERE = Path(__file__).resolve().parent / "static"
FONTS = Path(__file__).resolve().parent.parent / "resources" / "fonts"

FILES: dict[str, tuple[Path, str]] = {
    "htmx.min.js": (HERE / "htmx.min.js", "text/javascript; charset=utf-8"),
    "site.js": (HERE / "site.js", "text/javascript; charset=utf-8"),
    "site.css": (HERE / "site.css", "text/css; charset=utf-8"),
    "Vazirmatn-Regular.ttf": (FONTS / "Vazirmatn-Regular.ttf", "font/ttf"),
    "Vazirmatn-Bold.ttf": (FONTS / "Vazirmatn-Bold.ttf", "font/ttf"),
    "icon.svg": (HERE / "icon.svg", "image/svg+xml"),
}


@cache
def _load(name: str) -> tuple[bytes, str]:
    path, _ = FILES[name]
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:12]


def url(name: str) -> str:
    return f"/static/{name}?v={_load(name)[1]}"


def fonts_version() -> str:
    return _load("Vazirmatn-Regular.ttf")[1]


def serve(request: HttpRequest, name: str) -> HttpResponse:
    if name not in FILES or request.method not in ("GET", "HEAD"):
        raise Http404(name)
    data, version = _load(name)
    etag = f'"{version}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(data, content_type=FILES[name][1])
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
