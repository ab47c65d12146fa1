"""The replay clock (pause, speed) with an injected clock, the timeline, and ``/api/v1/replay``."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import replace

import httpx
import pytest

from trilink.warning.model import ImpactPoint
from trilink.web.fake import FAKE_T0_NS, FakeNodeView
from trilink.web.replay import SPEED_MAX, SPEED_MIN, ReplayClock, ReplayControl, ReplayState
from trilink.web.timeline import timeline

from .conftest import Served, login
from .test_stream import _events

__all__: list[str] = []

_S = 1_000_000_000


class Wall:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


# -- ReplayClock ----------------------------------------------------------------------------
def test_the_clock_runs_at_its_speed_and_pausing_or_a_new_speed_never_jumps() -> None:
    wall = Wall()
    told: list[int] = []
    clock = ReplayClock(10.0, clock=wall)
    clock.listeners.append(lambda: told.append(clock.state().version))
    # Not started: scenario time stands still.
    wall.t += 5
    assert clock.now() == 0.0 and not clock.running
    assert math.isinf(clock.wall_until(1.0))
    clock.start(0.0)
    wall.t += 2
    assert clock.now() == pytest.approx(20.0)
    assert clock.wall_until(30.0) == pytest.approx(1.0)
    assert clock.wall_until(15.0) == 0.0
    # Paused: stands at 20 however long the pause.
    st = clock.set(paused=True)
    assert st.paused and st.rate == 0.0 and st.t_s == pytest.approx(20.0)
    wall.t += 100
    assert clock.now() == pytest.approx(20.0)
    assert math.isinf(clock.wall_until(21.0))
    # A new speed while paused applies on resuming, from where it stood.
    clock.set(speed=50.0)
    assert clock.now() == pytest.approx(20.0)
    st = clock.set(paused=False)
    assert not st.paused and st.speed == 50.0 and st.rate == 50.0
    wall.t += 1
    assert clock.now() == pytest.approx(70.0)
    # Slower while running: re-anchored at the present, no jump back or forward.
    clock.set(speed=2.0)
    assert clock.now() == pytest.approx(70.0)
    wall.t += 3
    assert clock.now() == pytest.approx(76.0)
    # A finished round stands still; the next starts again from its start.
    clock.finish()
    wall.t += 10
    assert clock.now() == pytest.approx(76.0) and clock.state().rate == 0.0
    clock.start(0.0)
    assert clock.now() == 0.0 and clock.speed == 2.0
    # Every change was told, each with a new version.
    assert told == sorted(set(told)) and len(told) == 7


@pytest.mark.parametrize("speed", [0.0, -1.0, SPEED_MIN / 2, SPEED_MAX * 2, math.inf, math.nan])
def test_the_clock_refuses_a_speed_out_of_range(speed: float) -> None:
    with pytest.raises(ValueError):
        ReplayClock(speed)
    clock = ReplayClock(1.0)
    with pytest.raises(ValueError):
        clock.set(speed=speed)
    assert clock.speed == 1.0


def test_a_replay_clock_is_a_replay_control() -> None:
    assert isinstance(ReplayClock(), ReplayControl)


# -- timeline -------------------------------------------------------------------------------
def test_the_timeline_has_the_launch_first_notice_first_area_warning_and_outcome() -> None:
    view = FakeNodeView()
    (lt,) = timeline("JPN", view.alerts(), view.launches())
    assert lt.launch_id == "L1" and lt.launch_t_ns == FAKE_T0_NS and lt.outcome == "pending"
    got = [(e.what, e.nation, e.after_launch_s) for e in lt.entries]
    assert got == [
        ("launch", "JPN", 0.0),
        ("first_notice", "JPN", 70.0),
        ("first_area_warning", "JPN", 130.0),
    ]
    assert lt.entries[2].areas == ["JP-01", "JP-02"] and lt.entries[2].alert_id == "JPN-L1-1"
    # An announced impact, then the all clear: both are the outcome, the all clear last.
    shelter = view.alerts()[1]
    view.issue(
        replace(
            shelter,
            alert_id="JPN-L1-2",
            seq=2,
            stage="impact",
            issued_ns=FAKE_T0_NS + 605 * _S,
            areas=(),
            impact=ImpactPoint(lat_deg=42.2, lon_deg=139.1, time_ns=FAKE_T0_NS + 600 * _S),
        )
    )
    view.issue_all_clear("L1", "operator")
    (lt,) = timeline("JPN", view.alerts(), view.launches())
    assert lt.outcome == "all_clear"
    assert [e.what for e in lt.entries][-2:] == ["impact", "all_clear"]
    impact = lt.entries[-2]
    assert (impact.zone, impact.impact_nation, impact.area) == ("high_seas", None, None)
    assert impact.after_launch_s == 605.0


def test_the_partners_first_notices_and_area_warnings_are_on_the_timeline() -> None:
    view = FakeNodeView()  # KOR told its public at +55 s, USA at +75 s
    korea_warns = view.partner_warnings()[0].model_copy(
        update={"warning_id": "KOR-L1-1", "stage": "shelter", "issued_ns": FAKE_T0_NS + 140 * _S}
    )
    korea_warns.areas = ["KR-51"]
    own_echo = korea_warns.model_copy(update={"nation": "JPN", "warning_id": "JPN-L1-9"})
    stray = korea_warns.model_copy(update={"launch_id": "KOR-L7", "warning_id": "KOR-L7-0"})
    partners = [*view.partner_warnings(), korea_warns, own_echo, stray]
    got = {lt.launch_id: lt for lt in timeline("JPN", view.alerts(), view.launches(), partners)}
    rows = [(e.what, e.nation, e.after_launch_s) for e in got["L1"].entries]
    assert rows == [
        ("launch", "JPN", 0.0),
        ("first_notice", "KOR", 55.0),
        ("first_notice", "JPN", 70.0),
        ("first_notice", "USA", 75.0),
        ("first_area_warning", "JPN", 130.0),
        ("first_area_warning", "KOR", 140.0),
    ]
    korea = got["L1"].entries[-1]
    assert korea.areas == ["KR-51"] and korea.alert_id == "KOR-L1-1" and korea.stage == "shelter"
    # a partner's warning of a launch this node does not know is a timeline of its own
    stray_rows = [(e.what, e.nation) for e in got["KOR-L7"].entries]
    assert stray_rows == [("first_notice", "KOR"), ("first_area_warning", "KOR")]
    assert got["KOR-L7"].entries[0].after_launch_s is None


def test_a_launch_seen_by_a_partner_and_one_without_a_known_time() -> None:
    view = FakeNodeView()
    partner = view.launches()[0].model_copy(update={"launch_id": "KOR-L9", "source": "KOR"})
    late = replace(view.alerts()[0], alert_id="JPN-X-0", launch_id="X", launch_time_ns=None)
    got = timeline("JPN", [*view.alerts(), late], [*view.launches(), partner])
    by_id = {lt.launch_id: lt for lt in got}
    assert [e.what for e in by_id["KOR-L9"].entries] == ["launch"]
    assert by_id["KOR-L9"].entries[0].nation == "KOR"
    x = by_id["X"]
    assert x.launch_t_ns is None and [e.what for e in x.entries] == ["first_notice"]
    assert x.entries[0].after_launch_s is None


# -- the API --------------------------------------------------------------------------------
class AuditedReplay:
    """A :class:`ReplayClock` whose changes are recorded with the user, as a node audits them."""

    def __init__(self, speed: float = 10.0) -> None:
        self.clock = ReplayClock(speed)
        self.clock.start(0.0)
        self.log: list[tuple[str, bool, float]] = []

    def state(self) -> ReplayState:
        return self.clock.state()

    def set(self, paused: bool | None, speed: float | None, by: str) -> ReplayState:
        st = self.clock.set(paused, speed)
        self.log.append((by, st.paused, st.speed))
        return st


@pytest.fixture
def replayed(serve: Callable[..., Served]) -> Iterator[tuple[Served, AuditedReplay]]:
    control = AuditedReplay()
    yield serve(replay=control, poll_s=0.05), control


def _clients(s: Served) -> dict[str, tuple[httpx.Client, str]]:
    out = {}
    for role in ("viewer", "operator", "admin"):
        c = s.client()
        out[role] = (c, login(c, role))
    return out


def test_operators_and_admins_pause_and_set_the_speed_viewers_may_not(
    replayed: tuple[Served, AuditedReplay],
) -> None:
    s, control = replayed
    cl = _clients(s)
    try:
        v, v_csrf = cl["viewer"]
        st = v.get("/api/v1/replay").json()
        assert st["paused"] is False and st["speed"] == 10.0 and st["running"] is True
        snap = v.get("/api/v1/state").json()
        assert snap["replay"]["speed"] == 10.0 and snap["clock_rate"] == 10.0
        h = {"x-csrf-token": v_csrf}
        assert v.post("/api/v1/replay", json={"paused": True}, headers=h).status_code == 403
        op, op_csrf = cl["operator"]
        # CSRF and same origin, like every write.
        assert op.post("/api/v1/replay", json={"paused": True}).status_code == 403
        bad = {"x-csrf-token": op_csrf, "origin": "http://evil.example"}
        assert op.post("/api/v1/replay", json={"paused": True}, headers=bad).status_code == 403
        assert control.log == [] and not control.clock.paused
        r = op.post("/api/v1/replay", json={"paused": True}, headers={"x-csrf-token": op_csrf})
        assert r.status_code == 200 and r.json()["paused"] is True
        snap = v.get("/api/v1/state").json()
        assert snap["replay"]["paused"] is True and snap["clock_rate"] == 0.0
        ad, ad_csrf = cl["admin"]
        r = ad.post(
            "/api/v1/replay", json={"paused": False, "speed": 50}, headers={"x-csrf-token": ad_csrf}
        )
        assert r.status_code == 200 and r.json()["speed"] == 50.0 and not r.json()["paused"]
        assert v.get("/api/v1/state").json()["clock_rate"] == 50.0
        assert control.log == [("operator", True, 10.0), ("admin", False, 50.0)]
    finally:
        for c, _ in cl.values():
            c.close()


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b'{"speed": 0}',
        b'{"speed": -2}',
        b'{"speed": 0.01}',
        b'{"speed": 1000}',
        b'{"speed": NaN}',
        b'{"speed": Infinity}',
        b'{"speed": "fast"}',
        b'{"paused": "maybe"}',
        b"[true]",
        b"{not json",
    ],
)
def test_bad_replay_changes_are_refused(
    replayed: tuple[Served, AuditedReplay], body: bytes
) -> None:
    s, control = replayed
    with s.client() as c:
        csrf = login(c, "operator")
        h = {"x-csrf-token": csrf, "content-type": "application/json"}
        r = c.post("/api/v1/replay", content=body, headers=h)
        assert r.status_code == 422, (body, r.status_code, r.text)
        assert r.json()["detail"]
    assert control.log == [] and control.clock.speed == 10.0


def test_a_node_without_a_replay_has_no_replay_control(served_plain: Served) -> None:
    cl = _clients(served_plain)
    try:
        v, v_csrf = cl["viewer"]
        assert v.get("/api/v1/replay").status_code == 404
        snap = v.get("/api/v1/state").json()
        assert snap["replay"] is None and snap["clock_rate"] == 1.0
        h = {"x-csrf-token": v_csrf}
        assert v.post("/api/v1/replay", json={"paused": True}, headers=h).status_code == 403
        op, op_csrf = cl["operator"]
        h = {"x-csrf-token": op_csrf}
        assert op.post("/api/v1/replay", json={"paused": True}, headers=h).status_code == 404
    finally:
        for c, _ in cl.values():
            c.close()


@pytest.fixture
def served_plain(serve: Callable[..., Served]) -> Served:
    return serve()


def test_a_pause_reaches_the_stream_though_the_picture_did_not_change(
    replayed: tuple[Served, AuditedReplay],
) -> None:
    s, control = replayed
    with s.client() as c:
        login(c, "viewer")
        with c.stream("GET", "/api/v1/stream") as r:
            events = (e for e in _events(r.iter_lines()) if e[0] == "state")
            first = json.loads(next(events)[1])
            assert first["clock_rate"] == 10.0
            version = s.view.version()
            control.set(True, None, "operator")
            second = json.loads(next(events)[1])
            assert second["replay"]["paused"] is True and second["clock_rate"] == 0.0
            assert s.view.version() == version
            assert second["timeline"][0]["launch_id"] == "L1"


def test_a_nan_anywhere_in_a_body_is_a_clean_422(served_plain: Served) -> None:
    with served_plain.client() as c:
        csrf = login(c, "admin")
        h = {"x-csrf-token": csrf, "content-type": "application/json"}
        r = c.post(
            "/api/v1/agreements/gsomia", content=b'{"action": NaN, "reason": NaN}', headers=h
        )
        assert r.status_code == 422 and {e["loc"][-1] for e in r.json()["detail"]} == {
            "action",
            "reason",
        }
