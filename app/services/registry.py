"""The use cases, described once: every service function a desk or the web may call is
registered here by `@use_case`, and both the office server's API and the desk's client are
made from this registry (design.md, "One trust boundary").

A use case is called as before, `candidacy.stand(ctx, engineer_id, referral_id)`. With an
in-process `ServiceContext` it runs here; with a context whose `remote` is true (the desk
pointed at an office server) the same call is sent to the server, which runs it with the actor
of its own session and its own clock. Screens cannot tell the two apart.

What never crosses the wire: the context (actor, clock, database) and the parameters a use
case names in `server=` — times ("now", "until"), progress callbacks, gateways — which the
server fills itself, so no time and no actor ever comes from a client.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

from ..domain.errors import InputError

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class UseCase:
    name: str  # "candidacy.stand": module.function, the API's name for it
    fn: Callable[..., Any]  # the undecorated service function
    writes: bool  # a write: the server runs it in one unit of work with its idempotency key
    remote: bool  # offered to clients (False: the server's own work — the clock, the outbox)
    server: frozenset[str]  # parameters only the server gives (never read from a request)
    atomic: bool  # False: the use case commits in steps of its own (a long import)


class Gateway(Protocol):
    """A context that sends use cases elsewhere instead of running them (the desk's client)."""

    remote: bool

    def call(self, uc: UseCase, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any: ...


REGISTRY: dict[str, UseCase] = {}


def use_case(
    *,
    writes: bool,
    remote: bool = True,
    server: tuple[str, ...] = (),
    atomic: bool = True,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a service function (its first parameter is the context)."""

    def register(fn: Callable[P, R]) -> Callable[P, R]:
        name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
        if name in REGISTRY:
            raise RuntimeError(f"use case {name} registered twice")
        uc = UseCase(name, fn, writes, remote, frozenset(server), atomic)
        REGISTRY[name] = uc
        ids = _id_params(fn)

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            ctx = args[0] if args else kwargs.get("ctx")
            if getattr(ctx, "remote", False):
                if not uc.remote:
                    raise RuntimeError(f"{name} runs only inside the office server")
                return ctx.call(uc, args[1:], kwargs)  # type: ignore[union-attr]
            for i, param in ids:
                if i < len(args):
                    given = args[i]
                elif param in kwargs:
                    given = kwargs[param]
                else:
                    continue  # left out: its default, or Python's own TypeError
                if given is not None and not _an_id(given):  # (None: the service's own say)
                    raise InputError(param, f"شناسه باید عدد صحیح باشد، نه {str(given)[:40]!r}")
            return fn(*args, **kwargs)

        call.use_case = uc  # type: ignore[attr-defined]
        return call

    return register


def _id_params(fn: Callable[..., Any]) -> tuple[tuple[int, str], ...]:
    """(position, name) of each `…_id` parameter annotated `int`: a row's id is a whole
    number, never True (== 1) or "1" — checked before the service reads it."""
    out = []
    for i, (pname, p) in enumerate(inspect.signature(fn).parameters.items()):
        note = p.annotation if isinstance(p.annotation, str) else ""  # (annotations are text)
        if pname.endswith("_id") and note in ("int", "int | None"):
            out.append((i, pname))
    return tuple(out)


def _an_id(v: object) -> bool:
    return type(v) is int and -(2**63) < v < 2**63


def load_all() -> dict[str, UseCase]:
    """Import every service module so that the registry is complete."""
    import importlib
    import pkgutil

    from .. import services

    for info in pkgutil.iter_modules(services.__path__):
        importlib.import_module(f"{services.__name__}.{info.name}")
    return REGISTRY
