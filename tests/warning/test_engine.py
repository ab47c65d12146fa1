"""The alert lifecycle: stages, thresholds, and the lessons of the public record."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from trilink.assess.assessor import Assessment
from trilink.warning.engine import (
    StatusMismatchError,
    Thresholds,
    WarningEngine,
    area_odds,
    ellipse95,
)
from trilink.warning.model import Alert, Status
from trilink.warning.picture import (
    ObjectView,
    ThreatPicture,
    cov_from_ellipse,
    picture_from_assessments,
    sample_tracks,
)
from trilink.warning.texts import render

from .conftest import AREAS, PYONGYANG, T0, Clock, S, flight, launch, picture

#: an IRBM over Aomori (JP-02) into the Pacific beyond Japan's EEZ (2022-10-04 like)
PACIFIC = (40.8, 156.0)
#: an MRBM falling on Shimane (JP-32)
SHIMANE = (35.0, 132.5)
#: the Sea of Japan inside Japan's EEZ, away from any area's land or territorial sea
SEA_OF_JAPAN = (40.0, 134.5)


def engine(nation: str = "JPN", status: Status = "actual", **th: float) -> WarningEngine:
    return WarningEngine(nation, AREAS, clock=Clock(), status=status, thresholds=Thresholds(**th))


def run(eng: WarningEngine, pic: ThreatPicture) -> list[Alert]:
    eng.clock.t_ns = pic.t_ns  # type: ignore[attr-defined]
    return eng.update(pic)


def stages(alerts: list[Alert]) -> list[str]:
    return [a.stage for a in alerts]


def codes(alert: Alert) -> set[str]:
    return {a.code for a in alert.areas}


def overflight(eng: WarningEngine, t_s: float, **kw: object) -> list[Alert]:
    return run(eng, picture(t_s, (launch(),), (flight(t_s, PACIFIC, **kw),)))  # type: ignore[arg-type]


# ---------------------------------------------------------------- stages


def test_launch_notice_as_soon_as_known_own_or_partner() -> None:
    for source in ("own", "partner"):
        eng = engine()
        out = run(eng, picture(20, (launch(source=source),)))
        assert stages(out) == ["launch"]
        a = out[0]
        assert a.alert_id == "JPN-L1-0" and a.seq == 0 and a.references == ()
        assert a.launch_time_ns == T0 and a.missile_class == "IRBM" and not a.areas
        assert run(eng, picture(25, (launch(source=source),))) == []  # said once


def test_overflight_lifecycle_shelter_passed_all_clear_impact() -> None:
    eng = engine()
    assert stages(run(eng, picture(30, (launch(),)))) == ["launch"]
    out = overflight(eng, 200, sigma_km=60)
    assert stages(out) == ["shelter"]
    sh = out[0]
    assert "JP-02" in codes(sh) and all(a.code.startswith("JP-") for a in sh.areas)
    jp02 = next(a for a in sh.areas if a.code == "JP-02")
    assert jp02.kind == "overflight" and jp02.probability >= 0.05
    assert jp02.arrival_ns is not None and T0 + 200 * S < jp02.arrival_ns < T0 + 1000 * S
    assert sh.references == ("JPN-L1-0",)
    assert overflight(eng, 500, sigma_km=40) == []
    # the confirmed track is past Aomori and nothing lies ahead: passed and all clear at once
    out = overflight(eng, 650, sigma_km=20)
    assert stages(out) == ["passed", "all_clear"]
    assert codes(out[0]) == {"JP-02"} and out[0].object_id == "T1"
    assert out[1].references == (out[0].alert_id,)
    out = run(eng, picture(1000, (launch(),), (flight(1000, PACIFIC, fallen=True),)))
    assert stages(out) == ["impact"]
    ip = out[0].impact
    assert ip is not None and ip.zone == "high_seas" and ip.nation is None
    # the launch is over: nothing more, whatever comes
    assert run(eng, picture(1010, (launch(),), (flight(1000, PACIFIC, fallen=True),))) == []


def test_impact_on_own_land_names_zone_nation_area_then_all_clear() -> None:
    eng = engine()
    run(eng, picture(10, (launch(),)))
    out = run(eng, picture(200, (launch(),), (flight(200, SHIMANE, flight_s=600),)))
    assert stages(out) == ["shelter"]
    shim = next(a for a in out[0].areas if a.code == "JP-32")
    assert shim.kind == "impact" and shim.probability > 0.5
    out = run(eng, picture(600, (launch(),), (flight(600, SHIMANE, flight_s=600, fallen=True),)))
    assert stages(out) == ["impact", "all_clear"]  # the fall is the evidence: clear at once
    ip = out[0].impact
    assert ip is not None and (ip.zone, ip.nation, ip.area) == ("land", "JPN", "JP-32")


def test_areas_shrink_as_prediction_tightens_and_each_update_references_the_last() -> None:
    eng = engine()
    run(eng, picture(10, (launch(),)))
    # aimed at the gap between Aomori and Hokkaido: a wide ellipse covers both
    strait = (41.35, 141.0)
    wide = run(eng, picture(300, (launch(),), (flight(300, strait, sigma_km=150),)))
    assert stages(wide) == ["shelter"] and {"JP-01", "JP-02"} <= codes(wide[0])
    tight = run(eng, picture(500, (launch(),), (flight(500, (40.8, 141.0), sigma_km=3),)))
    assert stages(tight) == ["update"]
    assert codes(tight[0]) == {"JP-02"}  # the set shrank to the area still at risk
    assert tight[0].references == (wide[0].alert_id,)


def mixed(t_s: float, p_shimane: float, k: int = 1000) -> ObjectView:
    """An RV whose samples fall on Shimane with probability ``p_shimane``, else at sea."""
    obj = flight(t_s, SEA_OF_JAPAN, flight_s=600, sigma_km=1, samples=k)
    n = round(p_shimane * k)
    end = np.array([SHIMANE] * n + [SEA_OF_JAPAN] * (k - n))  # [K, 2]
    f = np.linspace(0.0, 1.0, 40)
    lat = obj.lat_deg + f[None, :] * (end[:, 0:1] - obj.lat_deg)
    lon = obj.lon_deg + f[None, :] * (end[:, 1:2] - obj.lon_deg)
    t = (T0 + round(t_s * S) + f * (600 - t_s) * S).astype(np.int64)
    obj = dataclasses.replace(obj, track_t_ns=t)
    return dataclasses.replace(obj, track_lat_deg=lat, track_lon_deg=lon)


def test_warn_at_p_005_and_drop_only_below_p_001() -> None:
    eng = engine(warn=0.05, drop=0.01)
    run(eng, picture(10, (launch(),)))
    assert run(eng, picture(100, (launch(),), (mixed(100, 0.04),))) == []  # below warn
    out = run(eng, picture(110, (launch(),), (mixed(110, 0.05),)))
    assert stages(out) == ["shelter"] and codes(out[0]) == {"JP-32"}
    assert out[0].areas[0].probability == pytest.approx(0.05)
    assert out[0].areas[0].kind == "impact"
    # between drop and warn: still warned, no message (no flicker)
    for t, p in ((120, 0.03), (130, 0.011), (140, 0.02)):
        assert run(eng, picture(t, (launch(),), (mixed(t, p),))) == []
    out = run(eng, picture(150, (launch(),), (mixed(150, 0.009),)))
    assert stages(out) == ["update"] and out[0].areas == ()
    # back above warn: warned again, as an update of the same event
    out = run(eng, picture(160, (launch(),), (mixed(160, 0.2),)))
    assert stages(out) == ["update"] and codes(out[0]) == {"JP-32"}


def test_below_warn_threshold_no_shelter() -> None:
    eng = engine()
    run(eng, picture(10, (launch(),)))
    # 100 km σ, aimed 160 km off Shimane's territorial sea: a few percent at most
    obj = flight(300, (36.8, 132.5), flight_s=600, sigma_km=60)
    odds = area_odds("JPN", AREAS, [obj], np.zeros(0), np.zeros(0))
    assert all(p < 0.05 for p in odds.p[0])
    assert run(eng, picture(300, (launch(),), (obj,))) == []


def test_each_nation_warns_only_its_own_areas() -> None:
    busan = (35.2, 129.0)
    out = {}
    for nation in ("JPN", "KOR", "USA"):
        eng = engine(nation)
        run(eng, picture(10, (launch(),)))
        out[nation] = run(eng, picture(200, (launch(),), (flight(200, busan, flight_s=400),)))
    assert stages(out["KOR"]) == ["shelter"] and "KR-26" in codes(out["KOR"][0])
    assert all(a.code.startswith("KR-") for a in out["KOR"][0].areas)
    assert out["JPN"] == [] and out["USA"] == []
    guam = (13.45, 144.8)
    eng = engine("USA")
    run(eng, picture(10, (launch(),)))
    g = run(eng, picture(900, (launch(),), (flight(900, guam, flight_s=1800, sigma_km=10),)))
    assert stages(g) == ["shelter"] and codes(g[0]) == {"US-GU"}
    assert all(a.nation == "USA" for a in g)


# ---------------------------------------------------------------- lessons


def test_a_never_passed_without_a_confirmed_track_past_the_area() -> None:
    """2022-11-03: "passed" was announced for a missile that had vanished from radar."""
    eng = engine()
    run(eng, picture(30, (launch(),)))
    assert stages(overflight(eng, 200, sigma_km=60)) == ["shelter"]
    # the track is lost: long past the predicted arrival over Aomori, still nothing is "passed"
    for t in (650, 700, 900, 1000):
        assert run(eng, picture(t, (launch(),))) == []
    # an unconfirmed (tentative) track past the area does not count either
    tentative = flight(700, PACIFIC, sigma_km=20, oid="T9", confirmed=False)
    assert run(eng, picture(1010, (launch(),), (tentative,))) == []
    # the lost track's prediction holds until its fall time + 3σ + 30 s is over: then all clear,
    # and never a "passed"
    out = run(eng, picture(1000 + 3 * 2 + 31, (launch(),)))
    assert stages(out) == ["all_clear"]
    # the same flight, confirmed and tracked past the area, is reported passed
    eng2 = engine()
    run(eng2, picture(30, (launch(),)))
    overflight(eng2, 200, sigma_km=60)
    assert "passed" in stages(overflight(eng2, 650, sigma_km=20))


def test_a_no_passed_while_the_sub_point_is_over_the_area() -> None:
    beyond = flight(650, PACIFIC, sigma_km=20)
    # the same prediction (nothing of Aomori ahead), but the sub-point still over Aomori's land
    over = dataclasses.replace(beyond, lat_deg=40.7, lon_deg=140.8)
    results = []
    for obj in (over, beyond):
        eng = engine()
        run(eng, picture(30, (launch(),)))
        overflight(eng, 200, sigma_km=60)
        results.append(stages(run(eng, picture(650, (launch(),), (obj,)))))
    assert "passed" not in results[0]
    assert results[1] == ["passed", "all_clear"]


def test_a_no_passed_before_the_predicted_arrival() -> None:
    eng = engine()
    run(eng, picture(30, (launch(),)))
    overflight(eng, 200, sigma_km=60)
    arrival = eng._launches["L1"].active["JP-02"].arrival_ns
    assert arrival is not None
    # a picture timed before the arrival whose prediction no longer reaches Aomori: the area is
    # dropped (the prediction moved), not "passed"
    early = flight(650, PACIFIC, sigma_km=20)
    pic = picture((arrival - T0) / S - 60, (launch(),), (early,))
    assert "passed" not in stages(run(eng, pic))


def test_b_booster_never_raises_an_area() -> None:
    """2023-04-13: a spent stage's prediction toward Hokkaido is not a warning."""
    eng = engine()
    run(eng, picture(10, (launch(),)))
    hokkaido = (43.5, 142.5)
    booster = flight(120, hokkaido, oid="B1", role="booster", sigma_km=80)
    assert run(eng, picture(120, (launch(),), (booster,))) == []
    # the same object of unknown role would warn (the role, not the geometry, spares it)
    eng2 = engine()
    run(eng2, picture(10, (launch(),)))
    unknown = dataclasses.replace(booster, role="unknown")
    assert stages(run(eng2, picture(120, (launch(),), (unknown,)))) == ["shelter"]


def test_b_lofted_flight_warns_on_its_predicted_impact_not_a_far_coast() -> None:
    eng = engine()
    run(eng, picture(10, (launch(),)))
    # lofted: high apogee, short range; its azimuth points at Hokkaido far beyond the impact
    lofted = dataclasses.replace(
        flight(600, SEA_OF_JAPAN, flight_s=4000, sigma_km=40, lofted=True), apogee_km=6000.0
    )
    assert run(eng, picture(600, (launch(),), (lofted,))) == []
    out = run(
        eng, picture(4000, (launch(),), (flight(4000, SEA_OF_JAPAN, flight_s=4000, fallen=True),))
    )
    assert stages(out) == ["impact", "all_clear"]
    ip = out[0].impact
    assert ip is not None and (ip.zone, ip.nation, ip.area) == ("eez", "JPN", None)


def test_b_booster_falling_in_own_eez_is_reported_but_far_ones_are_not() -> None:
    eng = engine()
    run(eng, picture(10, (launch(),)))
    run(eng, picture(100, (launch(),), (flight(100, SEA_OF_JAPAN, oid="B1", role="booster"),)))
    out = run(
        eng,
        picture(
            1000, (launch(),), (flight(1000, SEA_OF_JAPAN, oid="B1", role="booster", fallen=True),)
        ),
    )
    assert stages(out) == ["impact"] and out[0].object_id == "B1"
    eng2 = engine()
    run(eng2, picture(10, (launch(),)))
    far = flight(1000, (38.0, 124.5), oid="B2", role="booster", fallen=True)
    assert run(eng2, picture(1000, (launch(),), (far,))) == []


def test_c_no_areas_inherited_between_launches_or_engines() -> None:
    """2022-10-04: areas of an earlier event must never be carried into a new one."""
    eng = engine()
    run(eng, picture(10, (launch("L1"),)))
    first = overflight(eng, 200, sigma_km=60)
    assert "JP-02" in codes(first[0])
    # a second launch (harmless, into the Sea of Japan) while the first is still warned
    l2 = launch("L2", time_ns=T0 + 100 * S)
    harmless = flight(300, SEA_OF_JAPAN, oid="T2", lid="L2", sigma_km=20)
    both = run(eng, picture(300, (launch("L1"), l2), (flight(300, PACIFIC, sigma_km=50), harmless)))
    l2_alerts = [a for a in both if a.launch_id == "L2"]
    assert stages(l2_alerts) == ["launch"] and not l2_alerts[0].areas
    assert l2_alerts[0].alert_id == "JPN-L2-0" and l2_alerts[0].references == ()
    # a fresh engine (a new run) given only L2 says exactly the same about it
    fresh = engine()
    again = run(fresh, picture(300, (l2,), (harmless,)))
    strip = [dataclasses.replace(a, issued_ns=0) for a in again]
    assert strip == [dataclasses.replace(a, issued_ns=0) for a in l2_alerts]
    # nothing is module-level: two engines never share launches
    assert fresh._launches.keys() == {"L2"} and eng._launches.keys() == {"L1", "L2"}


def test_d_status_travels_on_every_alert_and_a_mismatch_is_refused() -> None:
    """2018-01-13: an exercise must never go out as real."""
    eng = engine(status="exercise")
    alerts = run(eng, picture(10, (launch(),), status="exercise"))
    alerts += run(eng, picture(200, (launch(),), (flight(200, PACIFIC, sigma_km=60),), "exercise"))
    assert alerts and all(a.status == "exercise" for a in alerts)
    with pytest.raises(StatusMismatchError):
        run(eng, picture(300, (launch(),), status="actual"))
    real = engine(status="actual")
    for status in ("exercise", "test"):
        with pytest.raises(StatusMismatchError):
            run(real, picture(10, (launch(),), status=status))  # type: ignore[arg-type]
    assert real._launches == {}  # a refused picture leaves no trace


def test_e_cancel_at_the_update_the_partner_withdraws() -> None:
    eng = engine()
    assert stages(run(eng, picture(10, (launch(source="partner"),)))) == ["launch"]
    assert run(eng, picture(20, (launch(source="partner"),))) == []
    out = run(eng, picture(30, (launch(source="partner", withdrawn=True),)))
    assert stages(out) == ["cancel"] and out[0].references == ("JPN-L1-0",)
    assert run(eng, picture(40, (launch(source="partner", withdrawn=True),))) == []


def test_e_cancel_when_a_launch_with_only_a_tentative_track_evaporates() -> None:
    eng = engine()
    tent = flight(60, PACIFIC, confirmed=False)
    assert stages(run(eng, picture(60, (launch(),), (tent,)))) == ["launch"]
    assert run(eng, picture(62, (launch(),), (tent,))) == []
    out = run(eng, picture(64, ()))  # the launch and its track dropped as false
    assert stages(out) == ["cancel"]


def test_e_no_cancel_once_an_object_was_confirmed() -> None:
    eng = engine()
    run(eng, picture(10, (launch(),)))
    overflight(eng, 200, sigma_km=60)
    out = run(eng, picture(210, (launch(withdrawn=True),)))
    assert "cancel" not in stages(out)


def test_e_all_clear_at_the_exact_update_the_evidence_arrives() -> None:
    eng = engine()
    run(eng, picture(10, (launch(),)))
    run(eng, picture(100, (launch(),), (flight(100, SEA_OF_JAPAN, sigma_km=30),)))
    for t in (300, 600, 999):  # in flight, nothing warned: no all clear without the fall
        assert run(eng, picture(t, (launch(),), (flight(t, SEA_OF_JAPAN, sigma_km=30),))) == []
    out = run(eng, picture(1000, (launch(),), (flight(1000, SEA_OF_JAPAN, fallen=True),)))
    assert stages(out) == ["impact", "all_clear"]


def test_all_clear_waits_for_every_threatening_object() -> None:
    eng = engine()
    run(eng, picture(10, (launch(),)))
    a = flight(600, SHIMANE, flight_s=600, fallen=True, oid="A")
    b = flight(300, PACIFIC, sigma_km=60, oid="B")
    out = run(eng, picture(600, (launch(),), (a, b)))
    assert "all_clear" not in stages(out)
    out = run(eng, picture(1000, (launch(),), (a, flight(1000, PACIFIC, fallen=True, oid="B"))))
    assert stages(out) == ["impact", "all_clear"]


def test_an_object_found_heading_for_orbit_drops_its_prediction_and_clears() -> None:
    """A space launcher's stage first predicted to fall (areas warned) is then found to head
    for orbit: the former prediction must not hold its areas nor the all clear (on Chollima-1
    the US never cleared: a stale sub-orbital fall time, past the end of the run)."""
    eng = engine()
    run(eng, picture(10, (launch(),)))
    out = overflight(eng, 200, sigma_km=60)
    assert stages(out) == ["shelter"] and "JP-02" in codes(out[0])
    up = dataclasses.replace(
        flight(260, PACIFIC),
        orbital=True,
        impact_lat_deg=None,
        impact_lon_deg=None,
        impact_cov_en_m2=None,
        impact_ns=None,
        track_lat_deg=np.zeros((0, 0)),
        track_lon_deg=np.zeros((0, 0)),
        track_t_ns=np.zeros(0, dtype=np.int64),
    )
    out = run(eng, picture(260, (launch(),), (up,)))
    assert stages(out) == ["all_clear"]  # tracked still, but nothing ahead to wait for
    # lost afterwards: nothing more is said, and a new picture of it says nothing either
    assert run(eng, picture(400, (launch(),))) == []
    # without the flag the same lost object holds its fall time (1000 s) and the warning
    eng2 = engine()
    run(eng2, picture(10, (launch(),)))
    overflight(eng2, 200, sigma_km=60)
    assert run(eng2, picture(400, (launch(),))) == []
    assert "all_clear" not in stages(run(eng2, picture(900, (launch(),))))


# ---------------------------------------------------------------- the vectorised odds


def test_area_odds_match_a_per_sample_count() -> None:
    objs = [
        flight(200, PACIFIC, sigma_km=60, seed=1),
        flight(300, (41.35, 141.0), sigma_km=150, oid="T2", seed=2),
    ]
    odds = area_odds("JPN", AREAS, objs, np.array([40.7]), np.array([140.8]))
    assert odds.over.tolist() == ["JP-02"]
    for i, o in enumerate(objs):
        for j, c in enumerate(odds.codes):
            hits = [
                c in set(AREAS.warn_area_many(la, lo))
                for la, lo in zip(o.track_lat_deg, o.track_lon_deg, strict=True)
            ]
            falls = AREAS.warn_area_many(o.track_lat_deg[:, -1], o.track_lon_deg[:, -1]) == c
            assert odds.p[i, j] == pytest.approx(np.mean(hits))
            assert odds.p_imp[i, j] == pytest.approx(np.mean(falls))


def test_sample_tracks_start_on_the_nominal_and_spread_to_the_impact_covariance() -> None:
    cov = np.array([[4e8, 1e8], [1e8, 1e8]])
    lat, lon, frac = sample_tracks(
        np.array([39.0, 40.0]), np.array([125.7, 135.0]), cov, samples=4000, seed=3
    )
    assert frac[0] == 0.0 and frac[-1] == 1.0
    assert np.allclose(lat[:, 0], 39.0) and np.allclose(lon[:, 0], 125.7)
    n = np.radians(lat[:, -1] - 40.0) * 6_371_008.8
    e = np.radians(lon[:, -1] - 135.0) * 6_371_008.8 * np.cos(np.radians(40.0))
    emp = np.cov(np.stack([e, n]))
    assert np.allclose(emp, cov, rtol=0.1)
    again = sample_tracks(
        np.array([39.0, 40.0]), np.array([125.7, 135.0]), cov, samples=4000, seed=3
    )
    assert np.array_equal(again[0], lat)


def test_deterministic_same_pictures_same_alerts() -> None:
    def once() -> list[Alert]:
        eng = engine()
        out = run(eng, picture(10, (launch(),)))
        for t, s in ((200, 60), (500, 40), (650, 20)):
            out += overflight(eng, t, sigma_km=s)
        return out

    assert once() == once()


def test_objects_without_samples_or_unconfirmed_raise_nothing() -> None:
    eng = engine()
    boost = ObjectView(
        object_id="T1", launch_id="L1", phase="boost", lat_deg=PYONGYANG[0], lon_deg=PYONGYANG[1]
    )
    assert stages(run(eng, picture(20, (launch(),), (boost,)))) == ["launch"]
    assert run(eng, picture(40, (launch(),), (flight(40, SHIMANE, confirmed=False),))) == []


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError):
        Thresholds(warn=0.01, drop=0.05)


# ---------------------------------------------------------------- the assessor adapter


def assessment(track: str, impact: tuple[float, float], **kw: object) -> Assessment:
    base: dict[str, object] = {
        "t": 300.0,
        "track": track,
        "phase": "coast",
        "launch_lat": PYONGYANG[0],
        "launch_lon": PYONGYANG[1],
        "launch_t": 0.0,
        "launch_sigma_m": 2000.0,
        "launch_t_sigma_s": 2.0,
        "burnout_t": 200.0,
        "burnout_alt_km": 300.0,
        "burnout_speed_mps": 5000.0,
        "apogee_km": 900.0,
        "range_km": 1300.0,
        "energy_range_km": 1400.0,
        "cls": "MRBM",
        "impact_lat": impact[0],
        "impact_lon": impact[1],
        "impact_t": 900.0,
        "impact_t_sigma_s": 3.0,
        "ellipse_major_m": 60_000.0,
        "ellipse_minor_m": 30_000.0,
        "ellipse_azimuth_deg": 90.0,
        "ground_track": [[38.0, 131.0], [37.0, 132.0], [impact[0], impact[1]]],
    }
    base.update(kw)
    return Assessment(**base)  # type: ignore[arg-type]


def test_picture_from_assessments_feeds_the_engine() -> None:
    a = assessment("T0001", SHIMANE)
    b = assessment("T0002", (38.5, 130.0), ground_track=[[38.0, 131.0]], cls="MRBM")
    boost = assessment("T0003", (0.0, 0.0), impact_lat=None, phase="boost")
    pic = picture_from_assessments(
        [a, b, boost],
        t_ns=300 * S,
        status="exercise",
        launch_of={"T0001": "JPN-L1", "T0002": "JPN-L1", "T0003": "JPN-L1"},
        roles={"T0002": "booster"},
        samples=500,
    )
    assert pic.status == "exercise" and [lv.launch_id for lv in pic.launches] == ["JPN-L1"]
    lv = pic.launches[0]
    assert lv.source == "own" and lv.missile_class == "MRBM" and lv.time_ns == 0
    o1, o2, o3 = pic.objects
    assert (o1.role, o2.role, o3.role) == ("unknown", "booster", "unknown")
    assert o1.track_lat_deg.shape[0] == 500 and o1.track_t_ns[-1] == 900 * S
    assert (o1.lat_deg, o1.lon_deg) == (38.0, 131.0)
    # the 95 % ellipse (60 km east-west, 30 km north-south) is the samples' spread at impact
    e = np.radians(o1.track_lon_deg[:, -1] - SHIMANE[1]) * 6_371_008.8 * np.cos(np.radians(35.0))
    assert np.std(e) == pytest.approx(60_000.0 / 2.4477, rel=0.1)
    assert o3.track_lat_deg.size == 0  # no prediction while thrusting
    eng = WarningEngine("JPN", AREAS, clock=Clock(), status="exercise")
    out = eng.update(pic)
    assert stages(out) == ["launch", "shelter"] and codes(out[1]) == {"JP-32"}
    assert all(x.status == "exercise" for x in out)


def test_cov_from_ellipse_round_trips() -> None:
    cov = cov_from_ellipse(50_000.0, 20_000.0, 30.0)
    assert ellipse95(cov) == pytest.approx((50_000.0, 20_000.0, 30.0))


def test_b_degenerate_prediction_of_a_track_in_its_last_seconds_stays_local() -> None:
    """A track about to hit the sea with a 2,000-km ellipse must not spread onto Hokkaido."""
    cov = cov_from_ellipse(2_200_000.0, 300_000.0, 60.0)
    near = (42.01, 136.89)
    lat, lon, _ = sample_tracks(
        np.array([near[0], 42.1]), np.array([near[1], 137.0]), cov, samples=500, seed=1
    )
    reach_deg = 50_000.0 / 6_371_008.8 * 180 / np.pi
    assert np.all(np.abs(lat[:, -1] - 42.1) <= reach_deg * 1.01)
    assert np.all(AREAS.warn_area_many(lat.ravel(), lon.ravel()) == "")
    # unbounded, the same covariance reaches Hokkaido
    lat2, lon2, _ = sample_tracks(
        np.array([near[0], 42.1]),
        np.array([near[1], 137.0]),
        cov,
        samples=500,
        seed=1,
        min_reach_m=None,
    )
    assert np.any(AREAS.warn_area_many(lat2.ravel(), lon2.ravel()) == "JP-01")


def test_a_later_view_without_a_launch_point_keeps_the_known_one() -> None:
    eng = engine()
    run(eng, picture(10, (launch(),)))
    vague = launch(lat_deg=None, lon_deg=None, time_ns=None, missile_class="MRBM")
    out = run(eng, picture(200, (vague,), (flight(200, PACIFIC, sigma_km=60),)))
    assert stages(out) == ["shelter"]
    assert (out[0].launch_lat_deg, out[0].launch_lon_deg) == PYONGYANG
    assert out[0].launch_time_ns == T0 and out[0].missile_class == "MRBM"


def test_an_object_alone_makes_its_launch_known() -> None:
    eng = engine()
    out = run(eng, picture(200, (), (flight(200, PACIFIC, sigma_km=60),)))
    assert stages(out) == ["launch", "shelter"]
    assert run(eng, picture(210, (), (flight(210, PACIFIC, sigma_km=60),))) == []


def test_guam_impact_reported_by_the_united_states_in_its_own_words() -> None:
    guam = (13.45, 144.8)
    eng = WarningEngine("USA", AREAS, clock=Clock(), status="actual")
    run(eng, picture(10, (launch(),)))
    run(eng, picture(900, (launch(),), (flight(900, guam, flight_s=1800, sigma_km=10),)))
    out = run(eng, picture(1800, (launch(),), (flight(1800, guam, flight_s=1800, fallen=True),)))
    assert stages(out) == ["impact", "all_clear"]
    ip = out[0].impact
    assert ip is not None and (ip.zone, ip.nation, ip.area) == ("land", "USA", "US-GU")
    text = render(out[0], "en", "Pacific/Guam", AREAS)
    assert "on land in Guam" in text.description and "ChST" in text.description
    assert "괌 육지" in render(out[0], "ko", "Pacific/Guam", AREAS).description
