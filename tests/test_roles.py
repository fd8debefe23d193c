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
ROLES = ("admin", "clerk", "finance", "manager", "engineer", "system")


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
    assert len(GUARDED) >= 41  # every require() in app/services but the helper itself
    assert {a for *_, a in GUARDED} <= set(ALLOWED)


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
    if action in ("policy.edit", "user.manage"):
        assert roles == {"admin"}
