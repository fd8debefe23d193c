from django.urls import path, register_converter

from . import api, site, static_files


class _Action:
    """What an engineer does to a referral from his cartable: any other word is not a page."""

    regex = "stand|cancel"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(_Action, "action")

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
    path("referrals/<int:referral_id>/<action:action>", site.act),
    path("why-not", site.why_not),
    path("me", site.state),
    path("my-referrals", site.my_referrals),
    path("messages", site.messages),
    path("declaration", site.declaration),
    path("membership", site.membership),
    # public, no sign-in (C6, A10, paper check)
    path("board", site.board),
    path("board/<int:referral_id>", site.candidates),
    path("runs", site.runs),
    path("runs/<int:run_id>", site.run),
    path("runs/<int:run_id>/decisions.json", site.run_decisions),
    path("verify", site.verify),
    path("verify/<str:code>", site.verify),
    path("static/<str:name>", static_files.serve),
]

handler404 = "web.site.not_found"
handler500 = "web.site.server_error"
