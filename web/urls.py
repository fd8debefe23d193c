from django.urls import path, register_converter

from . import api, site, static_files


class _Action:
    """What an engineer does to a referral from his cartable: any other word is not a page."""

    regex = "stand|cancel"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class _Id:
    """A row's number in a path: digits, at most a database integer. A larger one names no
    row — not found (404), as a number that names none is, not a malformed input (400)."""

    regex = "[0-9]{1,20}"

    def to_python(self, value: str) -> int:
        n = int(value)
        if not 0 < n < 2**31:
            raise ValueError(value)  # Django: this pattern does not match
        return n

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(_Action, "action")
register_converter(_Id, "id")

urlpatterns = [
    path("healthz", api.healthz),
    path("api/ping", api.ping),
    path("api/session", api.session),
    path("api/call/<str:name>", api.call),
    path("api/use-cases", api.use_cases),
    # the engineers' web site (issue 13)
    path("", site.cartable),
    path("login", site.login),
    path("login/code", site.login_code),
    path("logout", site.logout),
    path("forgot", site.forgot),
    path("forgot/reset", site.reset),
    path("password", site.password),
    path("referrals/<id:referral_id>/<action:action>", site.act),
    path("why-not", site.why_not),
    path("me", site.state),
    path("my-referrals", site.my_referrals),
    path("messages", site.messages),
    path("declaration", site.declaration),
    path("membership", site.membership),
    # public, no sign-in (C6, A10, paper check)
    path("board", site.board),
    path("board/<id:referral_id>", site.candidates),
    path("board/<str:junk>", site.no_referral),  # 0, -1, 99…9: a number naming no referral
    path("runs", site.runs),
    path("runs/<id:run_id>", site.run),
    path("runs/<id:run_id>/decisions.json", site.run_decisions),
    path("verify", site.verify),
    path("verify/<str:code>", site.verify),
    path("static/<str:name>", static_files.serve),
]

handler400 = "web.site.bad_request"
handler404 = "web.site.not_found"
handler500 = "web.site.server_error"
