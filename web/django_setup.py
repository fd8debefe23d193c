"""Django, configured in code (no settings module on disk): routing, CSRF, the security
headers. No Django models and no Django database: SQLAlchemy stays the one data layer."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from app.keys import ServerKey

_lock = threading.Lock()
_done = False

# What a page may load: only this server's own files; no inline script, no frames.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; object-src 'none'"
)


def configure(key: ServerKey, tls: bool, allowed_hosts: list[str]) -> None:
    """Once per process (Django's settings are global): the first server's values hold."""
    global _done
    with _lock:
        if _done:
            return
        import django
        from django.conf import settings

        settings.configure(
            DEBUG=False,
            SECRET_KEY=key.mac_hex("django", b"secret-key"),
            ALLOWED_HOSTS=allowed_hosts,
            ROOT_URLCONF="web.urls",
            INSTALLED_APPS=["web"],
            MIDDLEWARE=[
                "django.middleware.security.SecurityMiddleware",
                "web.middleware.server_headers",
                "django.middleware.csrf.CsrfViewMiddleware",
                # a site form's body capped, a control character refused (not the API's)
                "web.middleware.site_limits",
                "django.middleware.clickjacking.XFrameOptionsMiddleware",
            ],
            DATABASES={},
            USE_TZ=True,
            TIME_ZONE="Asia/Tehran",
            LANGUAGE_CODE="fa",
            USE_I18N=False,
            SECURE_CONTENT_TYPE_NOSNIFF=True,
            SECURE_REFERRER_POLICY="same-origin",
            SECURE_CROSS_ORIGIN_OPENER_POLICY="same-origin",
            SECURE_HSTS_SECONDS=31_536_000 if tls else 0,
            X_FRAME_OPTIONS="DENY",
            CSRF_COOKIE_SECURE=tls,
            CSRF_COOKIE_HTTPONLY=True,
            CSRF_COOKIE_SAMESITE="Lax",
            CSRF_FAILURE_VIEW="web.errors.csrf_failure",
            # a scanned receipt or a members' file; anything larger is refused before parsing
            DATA_UPLOAD_MAX_MEMORY_SIZE=40 * 1024 * 1024,
            FILE_UPLOAD_MAX_MEMORY_SIZE=40 * 1024 * 1024,
            TEMPLATES=[
                {
                    "BACKEND": "django.template.backends.django.DjangoTemplates",
                    # named here, not found through the app's folder: a test run whose path
                    # holds tests/web first sees a namespace package "web" (issue 13)
                    "DIRS": [str(Path(__file__).resolve().parent / "templates")],
                    "APP_DIRS": False,
                    "OPTIONS": {
                        "context_processors": [
                            "django.template.context_processors.request",
                            "django.template.context_processors.csrf",
                        ],
                        "libraries": {
                            "fa": "web.templatetags.fa",
                            "cartable": "web.templatetags.cartable",
                        },
                    },
                }
            ],
            LOGGING_CONFIG=None,  # the server's own logging (web/serve.py) is left alone
        )
        django.setup()
        # refusals are answers, not server errors: only real errors reach the log
        logging.getLogger("django.request").setLevel(logging.ERROR)
        _done = True
