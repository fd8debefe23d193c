"""U1 over every service: each function that declares a permission refuses every role the
matrix does not allow, before it reads or writes anything (found by reading the services'
source, so a new service is covered the day it is written)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from app.domain.errors import RuleViolation
from app.services.context import Actor, ServiceContext
from app.services.permissions import ALLOWED

SERVICES = Path(__file__).resolve().parent.parent / "app" / "services"
ROLES = ("admin", "clerk", "finance", "manager", "engineer", "system", "public")


# public service functions with no role check, each with the reason
EXEMPT = {
    "users.authenticate": "the login itself: nobody is logged in yet",
    "users.bootstrap_admin": "the first start: no user exists yet",
    "sessions.check_credentials": "the login itself: nobody is logged in yet",
    "sessions.sign_in": "the login itself: nobody is logged in yet",
    "sessions.resolve": "finding who holds a token: nobody is known until it is resolved",
    "sessions.resolve_session": "finding who holds a token: nobody is known until then",
    "sessions.sign_out": "ending a session: holding its token is the proof",
    "web_auth.member_sign_in": "the web's sign-in itself: nobody is signed in yet",
    "web_auth.confirm_sign_in": "the second step: the waiting session's token and the code",
    "web_auth.resend_sign_in_code": "the sign-in's second step: the waiting session's token",
    "web_auth.request_reset": "a forgotten password: nobody is signed in",
    "web_auth.reset_password": "a forgotten password: the code sent to the mobile is the proof",
}


def _services() -> set[str]:
    """module.function for every public service function taking a ServiceContext."""
    out = set()
    for path in sorted(SERVICES.glob("*.py")):
        if path.stem == "permissions":  # the checks themselves
            continue
        for fn in ast.parse(path.read_text(encoding="utf-8")).body:
            public = isinstance(fn, ast.FunctionDef) and not fn.name.startswith("_")
            if public and fn.args.args and fn.args.args[0].arg == "ctx":
                out.add(f"{path.stem}.{fn.name}")
    return out


def _guarded() -> list[tuple[str, str, str]]:
    """(module, function, action) for every public service function calling require()."""
    found = []
    for path in sorted(SERVICES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in tree.body:
            if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("_"):
                continue
            first = [  # the docstring and local imports may come before require()
                n
                for n in fn.body
                if not isinstance(n, ast.Import | ast.ImportFrom)
                and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
            ]
            call = first[0] if first else None
            if (
                isinstance(call, ast.Expr)
                and isinstance(call.value, ast.Call)
                and getattr(call.value.func, "id", "") == "require"
            ):
                action = call.value.args[1].value
                found.append((f"app.services.{path.stem}", fn.name, action))
    return found


GUARDED = _guarded()
CASES = [(m, f, a, role) for m, f, a in GUARDED for role in ROLES if role not in ALLOWED[a]]


def test_every_guarded_action_is_in_the_matrix():
    assert len(GUARDED) >= 70  # every require() in app/services but the helper itself
    assert {a for *_, a in GUARDED} <= set(ALLOWED)


def test_U1_every_service_checks_the_role_first_or_says_why_not():
    """Reads too: a service that is neither guarded nor exempt (with a reason) fails here."""
    guarded = {f"{m.rsplit('.', 1)[1]}.{f}" for m, f, _ in GUARDED}
    assert _services() - guarded == set(EXEMPT)


@pytest.mark.parametrize(
    ("module", "function", "action", "role"), CASES, ids=[f"{f}-{r}" for _, f, _, r in CASES]
)
def test_U1_service_refuses_a_role_the_matrix_does_not_allow(module, function, action, role):
    """Refused with U1 before the database is touched (the engine points nowhere)."""
    fn = getattr(importlib.import_module(module), function)
    nowhere = create_engine("sqlite:////nonexistent/dir/never.sqlite")
    ctx = ServiceContext(nowhere, actor=Actor(f"as-{role}", role, 1, engineer_id=999_999))
    params = list(inspect.signature(fn).parameters)[1:]
    args = {
        p: None
        for p in params
        if inspect.signature(fn).parameters[p].default is inspect.Parameter.empty
    }
    with pytest.raises(RuleViolation) as exc:
        fn(ctx, **args)
    assert exc.value.rules == ("U1",)


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_U1_money_and_deadlines_are_split_between_roles(action):
    """Only finance approves money; a finance officer never runs a deadline; only an
    administrator edits policy and users."""
    roles = ALLOWED[action]
    if action.endswith((".approve", ".decide")) or action in ("fee.decide", "membership.approve"):
        assert roles == {"finance"}, action
    if action == "deadline.run":
        assert "finance" not in roles and "clerk" not in roles
    if action in ("policy.edit", "user.manage"):  # (system: `init`, in-process, no session)
        assert roles - {"system"} == {"admin"}


def test_U1_an_engineer_reads_their_own_cartable_and_file_and_no_one_elses(tmp_path):
    from app.services import browse, candidacy, queries
    from support import Office

    office = Office(f"sqlite:///{tmp_path / 'nz.sqlite'}")
    me, other = office.engineer("E1"), office.engineer("E2")
    mine = office.base.as_actor(Actor("e1", "engineer", 2, engineer_id=me))
    assert candidacy.cartable(mine, me) == []
    assert browse.engineer_file(mine, me).membership_no == "E1"
    assert set(queries.engineer_standings(mine, [me])) == {me}
    for call in (
        lambda: candidacy.cartable(mine, other),
        lambda: browse.engineer_file(mine, other),
        lambda: queries.engineer_standings(mine, [me, other]),
        lambda: queries.engineer_standings(mine),  # everyone's
        lambda: browse.engineer_page(mine),  # national ids and mobiles of all
        lambda: browse.owner_by_code(mine, "0012345679"),
    ):
        with pytest.raises(RuleViolation) as exc:
            call()
        assert exc.value.rules == ("U1",)
