"""The tracker on a seeded 3-target salvo with clutter, through the push API."""

from __future__ import annotations

import math

import numpy as np

from trilink.synthetic.flights import fly, make_plots, salvo
from trilink.tracking.metrics import TrackerRun, run_tracker
from trilink.tracking.plots import PlotBatch
from trilink.tracking.tracker import Tracker


def test_every_object_gets_one_track_and_no_false_track(run3: TrackerRun) -> None:
    s = run3.scores
    assert s.confirmed_true == len(run3.trajs)
    assert s.false_tracks == 0
    assert s.track_breaks == 0
    # one confirmed track per object at mid-course
    mid = [ts for ts in run3.sets if len(ts)]
    assert max(len(ts) for ts in mid) == len(run3.trajs)


def test_accuracy_after_settling(run3: TrackerRun) -> None:
    # 50 m range, 0.5 mrad angles at 300-1500 km: a few hundred metres per plot.
    assert run3.scores.rmse_m < 150.0


def test_covariance_is_consistent(run3: TrackerRun) -> None:
    """Position NEES of the confirmed tracks averages about 3 (3 degrees of freedom)."""
    nees = []
    by_id: dict[int, int] = {}
    for ts in run3.sets[::5]:
        for k, tid in enumerate(ts.ids.tolist()):
            if ts.t - ts.t_first[k] < 30:
                continue
            best = None
            for j, tr in enumerate(run3.trajs):
                if tr.t_start <= ts.t <= tr.t_end:
                    p = tr.at(ts.t)[0][0]
                    d = float(np.linalg.norm(p - ts.x[k, 0:3]))
                    if best is None or d < best[0]:
                        best = (d, j, p)
            if best is None or best[0] > 5000:
                continue
            by_id.setdefault(tid, best[1])
            e = best[2] - ts.x[k, 0:3]
            nees.append(float(e @ np.linalg.solve(ts.P[k, 0:3, 0:3], e)))
    assert len(nees) > 50
    assert 1.0 < float(np.mean(nees)) < 6.0


def test_phases_and_stable_ids(run3: TrackerRun) -> None:
    phases = {p for ts in run3.sets for p in ts.phase}
    assert "coast" in phases
    ids = {int(i) for ts in run3.sets for i in ts.ids}
    assert len(ids) == len(run3.trajs)


def test_history_kept_for_confirmed_tracks_only(run3: TrackerRun) -> None:
    assert set(run3.tracker.history) == {int(i) for ts in run3.sets for i in ts.ids}
    for h in run3.tracker.history.values():
        assert len(h.t) > 10
        assert all(b > a for a, b in zip(h.t, h.t[1:], strict=False))


def test_range_rate_and_columnar_push_api() -> None:
    from trilink.synthetic.flights import DEFAULT_RADARS, Radar

    radars = tuple(
        Radar(r.name, r.lat_deg, r.lon_deg, offset_s=r.offset_s, sigma_rr_mps=5.0)
        for r in DEFAULT_RADARS
    )
    trajs = fly(salvo(2, seed=5, spread_s=5.0))
    plots, _ = make_plots(trajs, radars, seed=6)
    # rebuild the batch from plain columns, as an external caller would
    cols = PlotBatch.from_columns(
        t=plots.t,
        sensor=[plots.sensor_names[i] for i in plots.sensor],
        lat_deg=np.degrees(plots.lat),
        lon_deg=np.degrees(plots.lon),
        alt_m=plots.alt,
        range_m=plots.range_m,
        az_rad=plots.az,
        el_rad=plots.el,
        range_rate_mps=plots.range_rate,
        sigma_range_m=plots.sigma_range,
        sigma_range_rate_mps=plots.sigma_range_rate,
    )
    _, scores, _ = run_tracker(trajs, cols)
    assert scores.confirmed_true == 2 and scores.false_tracks == 0
    assert scores.rmse_m < 150.0


def test_bad_plots_are_rejected_with_messages_and_never_crash(
    salvo3: tuple[list, PlotBatch, np.ndarray],
) -> None:
    trajs, plots, _ = salvo3
    bad = plots.select(np.arange(len(plots)))
    n = len(bad)
    rng = np.random.default_rng(3)
    pick = rng.choice(n, 40, replace=False)
    bad.range_m[pick[:10]] = np.nan
    bad.az[pick[10:20]] = np.degrees(bad.az[pick[10:20]]) + 7.0  # degrees in a radian field
    bad.el[pick[20:25]] = np.inf
    bad.sigma_range[pick[25:30]] = -1.0
    # sensor R-B "jumps" 300 km for a few plots
    jump = np.flatnonzero(bad.sensor == 1)[500:505]
    bad.lat[jump] += math.radians(3.0)
    tracker = Tracker()
    tr, scores, _ = run_tracker(trajs, bad, tracker)
    text = "\n".join(str(i) for i in tr.issues)
    assert "range_m is missing or not a finite number" in text
    assert "degrees in a radian field" in text
    assert "sensor position jumped" in text and "R-B" in text
    assert "sigma_range_m must be positive" in text
    assert tr.n_rejected >= 35
    assert scores.confirmed_true == 3 and scores.false_tracks == 0
    # out-of-order plots are rejected once the tracker has moved on
    before = len(tr.issues)
    tr.update(tr.time, plots.select(np.arange(100)))
    assert any("out of order" in str(i) for i in tr.issues[before:])
    # plots newer than the update time are refused, not silently used
    tr2 = Tracker()
    tr2.update(plots.t[0] - 1.0, plots.select(np.arange(10)))
    assert any("after the update time" in str(i) for i in tr2.issues)


def test_empty_and_all_bad_batches() -> None:
    tr = Tracker()
    ts = tr.update(100.0, PlotBatch.empty())
    assert len(ts) == 0
    b = PlotBatch.from_columns(
        t=[100.5, 100.6],
        sensor=["X", "X"],
        lat_deg=[float("nan"), 35.0],
        lon_deg=[127.0, 127.0],
        alt_m=[0.0, 0.0],
        range_m=[1e5, -5.0],
        az_rad=[1.0, 1.0],
        el_rad=[0.2, 0.2],
        sigma_range_m=50.0,
    )
    ts = tr.update(101.0, b)
    assert len(ts) == 0 and tr.n_rejected == 2 and len(tr.issues) == 2


def test_same_seed_same_tracks(salvo3: tuple[list, PlotBatch, np.ndarray]) -> None:
    trajs, plots, _ = salvo3
    sub = plots.select(np.flatnonzero(plots.t < plots.t[0] + 120))
    _, _, a = run_tracker(trajs, sub)
    _, _, b = run_tracker(trajs, sub)
    assert a[-1].ids.tolist() == b[-1].ids.tolist()
    np.testing.assert_array_equal(a[-1].x, b[-1].x)


def test_space_ir_line_of_sight_updates_boosting_tracks() -> None:
    from trilink.synthetic.flights import IRSat

    trajs = fly(salvo(2, seed=51, spread_s=5.0))
    radar_only, _ = make_plots(trajs, seed=52)
    with_ir, truth = make_plots(trajs, seed=52, irs=(IRSat("GEO-1"), IRSat("GEO-2", lon_deg=150.0)))
    n_ir = int(np.sum(with_ir.kind == 1))
    assert n_ir > 100 and np.all(truth[with_ir.kind == 1] >= 0)  # burning objects only
    _, _, sets_r = run_tracker(trajs, radar_only)
    tr_i, s_i, sets = run_tracker(trajs, with_ir)
    assert s_i.confirmed_true == 2 and s_i.false_tracks == 0
    assert tr_i.n_rejected == 0

    def updates(track_sets: list) -> int:
        best: dict[int, int] = {}
        for ts in track_sets:
            for tid, n in zip(ts.ids.tolist(), ts.n_updates.tolist(), strict=True):
                best[tid] = max(best.get(tid, 0), n)
        return sum(best.values())

    # IR plots of burning objects were associated with the radar-started tracks and used
    assert updates(sets) > updates(sets_r) + 20
    assert any(p == "boost" for ts in sets for p in ts.phase)
