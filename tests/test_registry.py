"""The use-case registry (design.md, "One trust boundary"): every service a desk or the web
calls is registered once, and its parameters and answer cross the wire typed by it."""

from __future__ import annotations

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.errors import InputError
from app.services.dto import CompetenceIn, DeclarationIn, EngineerIn
from app.services.registry import load_all
from app.services.wire import decode_args, decode_result, encode_args, encode_result, wire

SERVICES = Path(__file__).resolve().parent.parent / "app" / "services"
REGISTRY = load_all()


def _public_service_functions() -> set[str]:
    out = set()
    for path in sorted(SERVICES.glob("*.py")):
        if path.stem in ("permissions", "registry", "wire", "context"):
            continue
        for fn in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(fn, ast.FunctionDef)
                and not fn.name.startswith("_")
                and fn.args.args
                and fn.args.args[0].arg == "ctx"
            ):
                out.add(f"{path.stem}.{fn.name}")
    return out


def test_every_public_service_function_is_a_registered_use_case():
    assert _public_service_functions() <= set(REGISTRY)


@pytest.mark.parametrize("name", sorted(n for n, uc in REGISTRY.items() if uc.remote))
def test_every_remote_use_case_has_a_wire_shape(name):
    w = wire(name)
    assert "ctx" not in w.names
    assert not set(w.names) & REGISTRY[name].server
    for p in ("now", "at", "until", "progress"):  # no time or callback from a client
        assert p not in w.names, f"{name} takes {p} from a client"


def test_a_dto_round_trips_through_the_wire():
    uc = REGISTRY["engineers.register_engineer"]
    e = EngineerIn(
        "123",
        (CompetenceIn("civil", "1"),),
        Decimal("100.5"),
        licence_expires=date(2027, 1, 1),
        declaration=DeclarationIn(1405, True, True, ("A", "B"), Decimal(50)),
    )
    assert decode_args(uc, encode_args(uc, (e,), {})) == {"e": e}


def test_bytes_round_trip_as_bytes():
    uc = REGISTRY["browse.document_content"]
    assert decode_result(uc, encode_result(uc, ("a.pdf", b"\x00\xff"))) == ("a.pdf", b"\x00\xff")


def test_an_unknown_key_in_a_body_is_refused_naming_it():
    with pytest.raises(InputError) as e:
        decode_args(REGISTRY["candidacy.stand"], b'{"engineer_id":5,"referral_id":1,"actor":"x"}')
    assert e.value.field == "actor"


def test_a_wrong_type_is_refused_before_the_service():
    with pytest.raises(InputError) as e:
        decode_args(REGISTRY["candidacy.stand"], b'{"engineer_id":"five","referral_id":1}')
    assert e.value.field == "engineer_id"


def test_engineer_changes_are_typed_by_the_engineer_fields():
    uc = REGISTRY["engineers.update_engineer"]
    body = encode_args(uc, (5, {"licence_expires": date(2027, 1, 1)}), {})
    assert decode_args(uc, body)["changes"] == {"licence_expires": date(2027, 1, 1)}
    with pytest.raises(InputError):
        decode_args(uc, b'{"engineer_id":5,"changes":{"membership_no":"x"}}')


def test_a_desk_cannot_send_a_server_only_parameter():
    from datetime import UTC, datetime

    with pytest.raises(TypeError):
        encode_args(REGISTRY["deadlines.run_due"], (), {"until": datetime.now(UTC)})


@pytest.mark.parametrize("name", sorted(n for n, uc in REGISTRY.items() if uc.remote))
def test_every_remote_use_case_declares_what_it_returns(name):
    """An unannotated answer would cross the wire as plain JSON (a dict for a DTO)."""
    import inspect

    assert inspect.signature(REGISTRY[name].fn).return_annotation is not inspect.Signature.empty


def _by_pydantic(uc, value) -> bytes:
    return wire(uc.name).result.model_construct(value=value).model_dump_json().encode()


def test_an_answer_written_by_orjson_decodes_as_pydantic_would_write_it():
    """`encode_result` writes plain answers with orjson (dataclasses, aware and naive
    instants, Decimals of every form) and anything else through pydantic (bytes, named
    tuples, tuples of mixed types): the desk decodes the same values either way."""
    from datetime import UTC, datetime, timedelta, timezone

    from app.services.browse import EngineerRow
    from app.services.dto import CartableItem
    from app.services.sessions import Actor

    tehran = timezone(timedelta(hours=3, minutes=30))
    cases = [
        (
            "browse.engineer_page",
            [
                EngineerRow(1, "7-1", "نام ی‌ک", None, "09121234567", "person", 1390, ()),
                EngineerRow(2, "8-2", "", "10861234565", None, "firm", 1405, ("civil", "arch")),
            ],
        ),
        (
            "candidacy.cartable",
            [
                CartableItem(7, "1405-0001", "civil", "B", area, 2, "forced", at, standing, 3)
                for area, at, standing in (
                    (Decimal("450.00"), datetime(2026, 11, 18, 16, 30, tzinfo=UTC), True),
                    (Decimal("1E+3"), datetime(2026, 11, 18, 20, 0, tzinfo=tehran), False),
                    (Decimal("-0.5"), datetime(2026, 11, 18, 20, 0, 0, 1), False),
                    (Decimal("123456789.123456789"), datetime(2026, 1, 1, tzinfo=UTC), True),
                )
            ],
        ),
        ("deadlines.recheck_run", (True, "زنجیره سالم")),
        ("browse.document_content", ("a.pdf", b"\x00\xff")),
        ("sessions.resolve_session", (Actor("u", "clerk", 1, None), datetime.now(UTC))),
        ("browse.owner_by_code", None),
    ]
    for name, value in cases:
        uc = REGISTRY[name]
        fast, slow = encode_result(uc, value), _by_pydantic(uc, value)
        assert decode_result(uc, fast) == decode_result(uc, slow), name
    # the page the desk lists most is orjson's bytes (the point of it); bytes are pydantic's
    import orjson

    page = cases[0][1]
    assert encode_result(REGISTRY["browse.engineer_page"], page) == orjson.dumps({"value": page})
    uc = REGISTRY["browse.document_content"]
    assert encode_result(uc, cases[3][1]) == _by_pydantic(uc, cases[3][1])


@pytest.mark.parametrize("given", [True, "1", 1.0, 2**70])
def test_a_rows_id_is_a_whole_number_in_process_too(given):
    """Through the server the wire types every id; in the desk's own process the registry
    does: True (== 1) stood for referral 1, "1" was «no such referral»."""
    from app.services import candidacy
    from support import Office

    office = Office("sqlite://")
    e = office.engineer("E1")
    before = office.row_counts()
    with pytest.raises(InputError) as exc:
        candidacy.stand(office.as_engineer[e], e, given)
    assert exc.value.field == "referral_id" and "عدد صحیح" in exc.value.message
    assert office.row_counts() == before
