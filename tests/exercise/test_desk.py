"""The warning desk on the fused picture: partner data makes a nation warn earlier; one missile
reported by two nations under their own launch ids is one launch; status travels; same input,
same alerts. Fed with track reports made from a real flight (truth plus seeded noise)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from trilink.geo.areas import AreaIndex
from trilink.node.warnings import WarningDesk, predict_desks
from trilink.scenarios.model import load_scenario
from trilink.scenarios.run import Flight, fly
from trilink.warning.model import Alert
from trilink.wire.messages import TrackReport

SIGMA_P, SIGMA_V = 150.0, 15.0
COV = tuple(np.diag([SIGMA_P**2] * 3 + [SIGMA_V**2] * 3).reshape(-1).tolist())


@pytest.fixture(scope="module")
def flight() -> Flight:
    # The 2017-08-29 Hwasong-12 over Hokkaido: the warhead is the first trajectory.
    return fly(load_scenario("2017-08-29-hwasong12"))[0]


@pytest.fixture(scope="module")
def areas() -> AreaIndex:
    return AreaIndex.default()


def _on(
    tr_index: int, track_id: str, flight: Flight, t: float, rng: np.random.Generator
) -> TrackReport | None:
    """A noisy report of trajectory ``tr_index`` at ``t`` (None before it starts or after it
    ends), under ``track_id`` and the launch id of its nation."""
    tr = flight.plan.trajectories[tr_index]
    p, v, burning, valid = tr.at(t)
    if not valid[0]:
        return None
    x = np.concatenate([p[0], v[0]]) + rng.normal(0.0, 1.0, 6) * ([SIGMA_P] * 3 + [SIGMA_V] * 3)
    return TrackReport(
        track_id=track_id,
        time_ns=round(t * 1e9),
        position_m=(float(x[0]), float(x[1]), float(x[2])),
        velocity_mps=(float(x[3]), float(x[4]), float(x[5])),
        covariance=COV,
        phase="boost" if burning[0] else "coast",
        quality=0.9,
        launch_id=f"{track_id.split('-')[0]}-L1",
    )


def _report(origin: str, flight: Flight, t: float, rng: np.random.Generator) -> TrackReport | None:
    """The warhead's report by ``origin``'s one track."""
    return _on(0, f"{origin}-T0001", flight, t, rng)


def _run(
    flight: Flight,
    areas: AreaIndex,
    seen_from: dict[str, float],
    *,
    partners: bool = True,
    until_s: float = 700.0,
    status: str = "exercise",
) -> list[Alert]:
    """JPN's desk fed each origin's reports from ``seen_from[origin]`` s after launch."""
    rng = np.random.default_rng(5)
    desk = WarningDesk("JPN", areas, status, partners=partners)  # type: ignore[arg-type]
    for k in range(1, int(until_s)):
        t = flight.launch_time + k
        for origin, first in seen_from.items():
            if k >= first:
                r = _report(origin, flight, t, rng)
                if r is not None:
                    desk.add(origin, r)
        predict_desks([desk], t)
        desk.decide(t)
    return desk.alerts


def _first_warning(alerts: list[Alert], code: str, t0: float) -> float | None:
    for a in alerts:
        if a.stage in ("shelter", "update") and code in {th.code for th in a.areas}:
            return a.issued_ns / 1e9 - t0
    return None


def test_partner_data_warns_japan_before_its_own_radars_see_the_missile(
    flight: Flight, areas: AreaIndex
) -> None:
    # Korea tracks the missile from 40 s, Japan's own radars only from 300 s.
    seen = {"KOR": 40.0, "JPN": 300.0}
    shared = _first_warning(_run(flight, areas, seen, until_s=480.0), "JP-01", flight.launch_time)
    alone = _first_warning(
        _run(flight, areas, seen, partners=False, until_s=480.0), "JP-01", flight.launch_time
    )
    assert shared is not None and alone is not None
    assert alone >= 300.0  # alone, nothing before its own first report
    assert shared < 250.0  # with Korea's track, well before (the missile reaches Hokkaido ~440 s)
    assert alone - shared > 50.0


def test_one_missile_from_two_nations_is_one_launch(flight: Flight, areas: AreaIndex) -> None:
    alerts = _run(flight, areas, {"KOR": 40.0, "USA": 45.0, "JPN": 120.0}, until_s=400.0)
    assert [a.stage for a in alerts].count("launch") == 1
    assert len({a.launch_id for a in alerts}) == 1


def test_status_travels_and_the_same_input_gives_the_same_alerts(
    flight: Flight, areas: AreaIndex
) -> None:
    a = _run(flight, areas, {"KOR": 40.0}, until_s=400.0, status="test")
    b = _run(flight, areas, {"KOR": 40.0}, until_s=400.0, status="test")
    assert a and all(x.status == "test" for x in a)
    assert a == b


@pytest.mark.parametrize(
    ("own", "partner", "fused"),
    [
        # Japan's tracker sees burnout first; Korea's report, a second older, still says boost
        (("coast", 0.0), ("boost", -1.0), "coast"),
        # a partner's older "coast" does not end a boost the own, newer report still sees
        (("boost", 0.0), ("coast", -1.0), "boost"),
        # one report time, two calls: the later phase of flight
        (("boost", 0.0), ("coast", 0.0), "coast"),
    ],
)
def test_the_fused_phase_is_that_of_the_most_recent_report(
    flight: Flight,
    areas: AreaIndex,
    own: tuple[str, float],
    partner: tuple[str, float],
    fused: str,
) -> None:
    import msgspec

    rng = np.random.default_rng(1)
    desk = WarningDesk("JPN", areas, "exercise")
    t = flight.launch_time + 93.0
    for origin, (phase, dt) in (("JPN", own), ("KOR", partner)):
        r = _report(origin, flight, t + dt, rng)
        assert r is not None
        desk.add(origin, msgspec.structs.replace(r, phase=phase))
    desk.fuse(t)
    (obj,) = desk.objects.values()
    assert obj.phase == fused


def test_a_partner_track_that_goes_on_with_the_warhead_does_not_hide_it(
    flight: Flight, areas: AreaIndex
) -> None:
    """Own T1 and a partner's P1 follow the missile and fuse into one object; at separation own
    T1 goes on with the spent stage, P1 with the warhead, on which a new own track T2 starts.
    The warhead's row (T2 + P1) claims the object P1 was part of: it must still be shown, as an
    object of its own."""
    import msgspec

    t_sep = flight.plan.trajectories[1].t_start - flight.launch_time
    for seed in range(6):  # the rule must not hang on how the noise fuses at separation
        rng = np.random.default_rng(seed)
        desk = WarningDesk("KOR", areas, "exercise")
        rows_seen = []
        for k in range(60, int(t_sep) + 40):
            t = flight.launch_time + k
            # the spent stage falls behind the warhead on its path (30 % slower since
            # separation: ~1 km/s apart, clear of the fusion gate within seconds)
            lag = t if k <= t_sep + 1 else flight.launch_time + t_sep + 0.7 * (k - t_sep)
            for origin, track_id, at, seen in (
                ("KOR", "KOR-T1", lag, True),
                ("USA", "USA-P1", t, True),
                ("KOR", "KOR-T2", t, k > t_sep + 5),
            ):
                if seen:
                    r = _on(0, track_id, flight, at, rng)
                    assert r is not None
                    desk.add(origin, msgspec.structs.replace(r, time_ns=round(t * 1e9)))
            desk.fuse(t)
            now = {oid: o for oid, o in desk.objects.items() if o.last_t == t}
            rows_seen.append((k, len(desk.book.fuse(t).sources), now))
        _check_two_objects_after_separation(desk, rows_seen, t_sep)


def _check_two_objects_after_separation(
    desk: WarningDesk, rows_seen: list[tuple[int, int, dict[str, Any]]], t_sep: float
) -> None:
    before = [now for k, _, now in rows_seen if k < t_sep - 1]
    assert all(len(now) == 1 for now in before)
    (first,) = before[0]
    for k, n_rows, now in rows_seen:
        if k > t_sep + 8:
            assert n_rows == 2 and len(now) == 2, k  # the stage and the warhead, each shown
    # which of the two keeps the old identity depends on how the partner's track fused at
    # separation; each is an object of its own, and one of them goes on as the old one
    warhead = desk._object_of_source["own:KOR-T2"]
    stage = desk._object_of_source["own:KOR-T1"]
    assert desk._object_of_source["USA:USA-P1"] == warhead != stage
    assert first in (warhead, stage)
    # the warhead object is where the warhead is, above the stage
    now = rows_seen[-1][2]
    assert now[warhead].alt > now[stage].alt


def test_partners_warnings_are_kept_under_the_desks_launch_and_never_become_alerts(
    flight: Flight, areas: AreaIndex
) -> None:
    from dataclasses import replace

    from trilink.node.warnings import warning_message
    from trilink.warning.model import ImpactPoint
    from trilink.wire.messages import Warning

    # Korea's desk: Korea's launch event names the launch KOR-L1 (a track of it says so)
    rng = np.random.default_rng(2)
    korea = WarningDesk("KOR", areas, "exercise")
    jpn = WarningDesk("JPN", areas, "exercise")
    for k in range(40, 200):
        t = flight.launch_time + k
        r = _report("KOR", flight, t, rng)
        assert r is not None
        korea.add("KOR", r)
        jpn.add("KOR", r)
        predict_desks([korea, jpn], t)
        for a in korea.decide(t):
            w = warning_message(a, "headline")
            assert isinstance(w, Warning) and w.warning_id == a.alert_id
            jpn.add("KOR", w)
            jpn.add("KOR", w)  # a second copy (direct and via the hub) is the same warning
        jpn.decide(t)
    assert korea.alerts and korea.alerts[0].stage == "launch"
    told = jpn.partner_warnings()
    assert [pw.warning.warning_id for pw in told] == [a.alert_id for a in korea.alerts]
    assert {pw.nation for pw in told} == {"KOR"}
    assert {pw.launch_id for pw in told} == {a.launch_id for a in jpn.alerts}  # the desk's own id
    assert all(a.nation == "JPN" for a in jpn.alerts)  # a partner's warning is never an alert
    # the wire stage of an impact says where it fell; the rest keep their names
    base = korea.alerts[0]
    for zone, stage in (("land", "impacted"), ("eez", "fell_at_sea"), ("high_seas", "fell_at_sea")):
        fell = replace(
            base, stage="impact", impact=ImpactPoint(lat_deg=1, lon_deg=2, time_ns=3, zone=zone)
        )
        assert warning_message(fell).stage == stage
    assert warning_message(base).stage == "launch"
    own_alone = WarningDesk("JPN", areas, "exercise", partners=False)
    own_alone.add("KOR", told[0].warning)
    assert own_alone.partner_warnings() == []


def test_an_object_heading_for_orbit_has_no_prediction(areas: AreaIndex) -> None:
    """A stage in a circular orbit at 500 km: the desk predicts no fall and says so."""
    from trilink.geo import GM_EARTH, WGS84_A

    r = WGS84_A + 500e3
    v_circ = float(np.sqrt(GM_EARTH / r))
    t = 1_700_000_000.0
    desk = WarningDesk("JPN", areas, "exercise")
    for k in range(3):
        # over the equator at 130 E, eastward (inertial speed; the Earth's turn is taken off)
        lon = np.radians(130.0)
        pos = np.array([r * np.cos(lon), r * np.sin(lon), 0.0])
        east = np.array([-np.sin(lon), np.cos(lon), 0.0])
        vel = east * (v_circ - 7.2921159e-5 * r)
        desk.add(
            "JPN",
            TrackReport(
                track_id="JPN-T9",
                time_ns=round((t + k) * 1e9),
                position_m=tuple(float(x) for x in pos),  # type: ignore[arg-type]
                velocity_mps=tuple(float(x) for x in vel),  # type: ignore[arg-type]
                covariance=COV,
                phase="coast",
                quality=0.9,
                launch_id="JPN-L9",
            ),
        )
        desk.tick(t + k)
    (obj,) = desk.objects.values()
    assert obj.orbital and obj.prediction is None
    (view,) = desk.picture(t + 2).objects
    assert view.orbital and view.impact_ns is None and not view.track_lat_deg.size


def test_a_short_range_missile_of_a_volley_is_not_taken_for_a_spent_stage(
    flight: Flight, areas: AreaIndex
) -> None:
    """A volley under one launch id: a Hwasong-12 and, a minute later from Jangyon, a KN-25
    that flies over Baengnyeong (KR-28) 50 s after its launch. The KN-25 falls at a tenth of the
    Hwasong-12's range, but it is another missile, not the Hwasong-12's spent stage: it is a
    re-entry vehicle, and Korea warns Incheon before it arrives."""
    import msgspec

    kn25 = next(f for f in fly(load_scenario("salvo-srbm-20")) if f.launch.id == "S09")
    offset = 60.0  # the KN-25's launch, seconds after the Hwasong-12's
    rng = np.random.default_rng(3)
    desk = WarningDesk("KOR", areas, "exercise")
    roles: dict[str, set[str]] = {"hs12": set(), "kn25": set()}
    for k in range(1, 200):
        t = flight.launch_time + k
        r = _on(0, "KOR-T1", flight, t, rng)
        if r is not None:
            desk.add("KOR", r)
        if k >= offset + 8:  # Korea's radar sees the KN-25 8 s after its launch
            r = _on(0, "KOR-T2", kn25, kn25.launch_time + k - offset, rng)
            if r is not None:
                desk.add("KOR", msgspec.structs.replace(r, time_ns=round(t * 1e9)))
        desk.tick(t)
        for v in desk.picture(t).objects:
            if v.impact_ns is not None:
                name = "hs12" if desk._object_of_source.get("own:KOR-T1") == v.object_id else "kn25"
                roles[name].add(v.role)
    assert {o.launch_id for o in desk.objects.values()} == {"KOR-L1"}  # one launch
    assert roles == {"hs12": {"rv"}, "kn25": {"rv"}}
    warned = _first_warning(desk.alerts, "KR-28", flight.launch_time)
    assert warned is not None and warned < offset + 50
