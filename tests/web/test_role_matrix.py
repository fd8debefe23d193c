"""U1 over HTTP: every call the API offers × every role that can sign in. A role the matrix
does not allow is refused with U1 before anything is read or written; a read the role may do
is answered (whatever the rules then say). The arguments are made from each call's own
declared types, so a new use case is in the matrix the day it is written."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import types
import typing
from decimal import Decimal

import httpx
import pytest
import typing_extensions

from app.services.permissions import ALLOWED
from app.services.registry import REGISTRY, load_all
from app.services.wire import wire
from web_support import bearer, token

load_all()
ROLES = {"admin": "admin", "clerk": "clerk", "finance": "fin", "manager": "mgr", "engineer": "eE1"}


def _guarded() -> dict[str, str]:
    """use case → its permission action (the first require() of its body)."""
    import ast
    import inspect

    out = {}
    for name, uc in REGISTRY.items():
        tree = ast.parse(inspect.getsource(importlib.import_module(uc.fn.__module__)))
        for fn in tree.body:
            if isinstance(fn, ast.FunctionDef) and fn.name == uc.fn.__name__:
                for node in ast.walk(fn):
                    if (
                        isinstance(node, ast.Call)
                        and getattr(node.func, "id", "") == "require"
                        and isinstance(node.args[1], ast.Constant)
                    ):
                        out[name] = node.args[1].value
                        break
    return out


ACTIONS = _guarded()
OFFERED = sorted(n for n, uc in REGISTRY.items() if uc.remote and n in ACTIONS)


def sample(tp):
    """A JSON value of type `tp` that passes validation (the role check comes next)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is type(None):
        return None
    if origin in (typing.Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)))
    if origin is typing.Literal:
        return args[0]
    if origin in (list, tuple, set, frozenset) or tp in (list, tuple):
        return []
    if origin is dict or tp is dict or typing_extensions.is_typeddict(tp):
        return {}
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return {
            f.name: sample(hints[f.name])
            for f in dataclasses.fields(tp)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        }
    return {
        int: 1,
        str: "1",
        bool: False,
        float: 1.0,
        Decimal: "1",
        bytes: "eA==",
        dt.date: "2026-11-14",
        dt.datetime: "2026-11-14T10:00:00+00:00",
    }.get(tp)


def body_for(name: str) -> dict:
    model = wire(name).params
    hints = {k: f.annotation for k, f in model.model_fields.items()}
    return {k: sample(t) for k, t in hints.items() if model.model_fields[k].is_required()}


@pytest.fixture(scope="module")
def office(pg_server):
    from support import ServedOffice

    o = ServedOffice(pg_server.create_database("role_matrix"))
    o.engineer_id = o.engineer("E1")
    o.project()
    yield o
    o.close()


@pytest.fixture(scope="module")
def tokens(office):
    with httpx.Client(base_url=office.url) as c:
        return {role: token(c, name) for role, name in ROLES.items()}


def test_the_matrix_covers_every_offered_call():
    assert len(OFFERED) >= 60
    for name in OFFERED:
        assert ACTIONS[name] in ALLOWED


@pytest.mark.parametrize("name", OFFERED)
def test_U1_every_call_by_every_role(office, tokens, name):
    allowed = ALLOWED[ACTIONS[name]]
    uc = REGISTRY[name]
    with httpx.Client(base_url=office.url, timeout=60) as c:
        for role, t in tokens.items():
            if role in allowed and uc.writes:
                continue  # a permitted write would change the office under the other cases
            body = body_for(name)
            if role == "engineer" and "ids" in wire(name).names:  # his own, not another's
                body["ids"] = [office.engineer_id]
            r = c.post(f"/api/call/{name}", json=body, headers=bearer(t))
            refused_u1 = r.status_code == 409 and r.json().get("rules") == ["U1"]
            if role not in allowed:
                assert refused_u1, (role, r.status_code, r.text)
            else:  # answered, or refused by the rules or the service's own checks
                assert r.status_code != 500 and not refused_u1, (role, r.text)
