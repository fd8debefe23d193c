"""A8: the outbox sender. A gateway that fails or times out loses no message and sends none
twice; two senders racing never send the same message twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db.models import Notification, SmsAttempt
from app.services import sms
from app.services.context import ServiceContext


class FakeGateway:
    """Delivers into `delivered`; `script` says what each call does: ok | fail | timeout
    (nothing delivered, then TimeoutError) | late (delivered, then TimeoutError)."""

    name = "fake"

    def __init__(self, script=(), dedupe=True, delay=0.0):
        self.script = list(script)
        self.dedupe = dedupe
        self.delay = delay
        self.delivered: Counter[str] = Counter()
        self.calls = 0
        self.lock = threading.Lock()

    def send(self, mobile, text, key):
        with self.lock:
            self.calls += 1
            what = self.script.pop(0) if self.script else "ok"
        time.sleep(self.delay)
        if what == "fail":
            raise sms.GatewayError("503 service unavailable")
        if what == "timeout":
            raise TimeoutError("gateway did not answer in 10 s")
        with self.lock:
            if not (self.dedupe and self.delivered[key]):
                self.delivered[key] += 1
        if what == "late":
            raise TimeoutError("answer lost after delivery")
        return f"ref-{key}"


def _outbox(office, n=3, mobile="09121112233"):
    e = office.engineer("E1")
    now = office.clock.now
    with office.base.tx() as s:
        for i in range(n):
            s.add(
                Notification(
                    created_at=now,
                    engineer_id=e,
                    kind="selected",
                    mobile=mobile,
                    body=f"پیام {i}",
                    next_attempt_at=now,
                )
            )
    with office.base.tx() as s:
        return list(s.scalars(select(Notification.id).order_by(Notification.id)))


def _state(office):
    with office.base.tx() as s:
        return {
            n.id: (n.status, n.attempts, n.gateway_ref) for n in s.scalars(select(Notification))
        }


def test_A8_failures_and_timeouts_back_off_and_every_message_goes_exactly_once(office):
    ids = _outbox(office, 3)
    gw = FakeGateway(["fail", "timeout", "late", "fail"])
    t0 = office.clock.now
    first = sms.send_pending(office.system, gw, t0)
    assert (first.sent, first.retry) == (0, 3)
    assert sms.send_pending(office.system, gw, t0 + timedelta(seconds=30)).sent == 0  # backing off
    second = sms.send_pending(office.system, gw, t0 + timedelta(minutes=1))
    assert (second.sent, second.retry) == (2, 1)
    third = sms.send_pending(office.system, gw, t0 + timedelta(minutes=3))
    assert third.sent == 1
    assert sms.send_pending(office.system, gw, t0 + timedelta(hours=9)).sent == 0  # nothing left
    assert gw.delivered == Counter({sms.key_of(i): 1 for i in ids})  # none lost, none twice
    st = _state(office)
    assert all(v[0] == "sent" and v[2] == f"ref-{sms.key_of(k)}" for k, v in st.items())
    with office.base.tx() as s:
        answers = s.execute(select(SmsAttempt.ok, SmsAttempt.answer)).all()
    assert len(answers) == gw.calls == 7
    assert any("503" in a for ok, a in answers if not ok)


def test_A8_gives_up_after_max_attempts_and_a_message_without_mobile_fails_at_once(office):
    ids = _outbox(office, 1)
    with office.base.tx() as s:
        s.add(
            Notification(
                created_at=office.clock.now,
                engineer_id=1,
                kind="selected",
                mobile=None,
                body="x",
                next_attempt_at=office.clock.now,
            )
        )
    gw = FakeGateway(["fail"] * 10)
    t = office.clock.now
    for _ in range(3):
        sms.send_pending(office.system, gw, t, max_attempts=3)
        t += timedelta(hours=7)
    st = _state(office)
    assert st[ids[0]][:2] == ("failed", 3)
    assert [v[0] for v in st.values()].count("failed") == 2
    sms.retry_failed(office.manager, ids[0])
    assert sms.send_pending(office.system, FakeGateway(), t).sent == 1


def test_A8_a_sender_that_died_after_claiming_is_taken_over_after_its_lease(office):
    (nid,) = _outbox(office, 1)
    t0 = office.clock.now
    assert sms._claim(office.system, nid, "pending", 0, t0, sms.LEASE) is not None  # then dies
    gw = FakeGateway()
    assert sms.send_pending(office.system, gw, t0 + timedelta(minutes=1)).sent == 0  # leased
    assert sms.send_pending(office.system, gw, t0 + sms.LEASE).sent == 1
    assert _state(office)[nid][:2] == ("sent", 2)


def test_A8_two_senders_racing_never_send_a_message_twice(office):
    ids = _outbox(office, 8)
    gw = FakeGateway(dedupe=False, delay=0.02)  # no help from the gateway: claims must do it
    ctx_a = ServiceContext(office.engine, office.system.actor, office.clock)
    ctx_b = ServiceContext(office.engine, office.system.actor, office.clock)
    out = []
    threads = [
        threading.Thread(target=lambda c=c: out.append(sms.send_pending(c, gw, office.clock.now)))
        for c in (ctx_a, ctx_b)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(o.sent for o in out) == 8
    assert gw.delivered == Counter({sms.key_of(i): 1 for i in ids})


def test_A8_file_gateway_is_idempotent(tmp_path):
    gw = sms.FileGateway(tmp_path / "sms.jsonl")
    assert gw.send("0912", "سلام", "nz-1") == "nz-1"
    gw2 = sms.FileGateway(tmp_path / "sms.jsonl")
    gw2.send("0912", "سلام", "nz-1")
    assert len((tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()) == 1


def test_U1_only_admin_manager_or_system_resend_failed_messages(office, refuse):
    (nid,) = _outbox(office, 1)
    refuse(sms.retry_failed, office.clerk, nid, rules={"U1"})
    refuse(sms.retry_failed, office.finance, nid, rules={"U1"})


class _Reply:
    def __init__(self, body):
        self._body = body

    def json(self):
        return self._body


def test_A8_kavenegar_adapter_sends_through_the_official_package_with_a_timeout(monkeypatch):
    """The adapter uses the `kavenegar` package's API and exceptions; our message key goes as
    `localid` (no double delivery on retry) and every request carries a timeout."""
    import requests

    from app.services.sms import GatewayError, KavenegarGateway

    calls = []

    def fake_post(url, headers=None, data=None, timeout=None):
        calls.append((url, data, timeout))
        return _Reply(
            {
                "return": {"status": 200, "message": "تایید شد"},
                "entries": [{"messageid": 8792343, "status": 1}],
            }
        )

    monkeypatch.setattr(requests, "post", fake_post)
    gw = KavenegarGateway("KEY", sender="10004346", timeout=7)
    assert gw.send("09161234567", "سلام", "nz-41") == "8792343"
    url, data, timeout = calls[0]
    assert url.endswith("/v1/KEY/sms/send.json") and timeout == 7
    assert data == {
        "receptor": "09161234567",
        "message": "سلام",
        "localid": "nz-41",
        "sender": "10004346",
    }

    monkeypatch.setattr(
        requests,
        "post",
        lambda *a, **k: _Reply(
            {"return": {"status": 418, "message": "اعتبار کافی نیست"}, "entries": None}
        ),
    )
    with pytest.raises(GatewayError, match="418"):
        gw.send("09161234567", "سلام", "nz-42")

    def timeout(*a, **k):
        raise requests.exceptions.ReadTimeout("gateway asleep")

    monkeypatch.setattr(requests, "post", timeout)
    with pytest.raises(GatewayError, match="asleep"):
        gw.send("09161234567", "سلام", "nz-43")
