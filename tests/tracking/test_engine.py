"""The compiled scan engine's parts against their references: the Hungarian solver against SciPy,
the one-pass batch check against :func:`check_plots`, and two-point initiation's behaviour."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from trilink.tracking import _kernels
from trilink.tracking.plots import PlotBatch, check_plots
from trilink.tracking.tracker import Tracker, TrackerConfig

pytestmark = pytest.mark.skipif(not _kernels.AVAILABLE, reason="numba not installed")


@settings(max_examples=200, deadline=None)
@given(
    nr=st.integers(1, 8),
    extra=st.integers(0, 6),
    seed=st.integers(0, 2**32 - 1),
    forbid=st.floats(0.0, 0.8),
)
def test_lsa_finds_scipys_optimum(nr: int, extra: int, seed: int, forbid: float) -> None:
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0.0, 30.0, (nr, nr + extra))
    cost[rng.random(cost.shape) < forbid] = 1e12  # the tracker's "not gated" entries
    cost = np.hstack([cost, np.where(np.eye(nr) > 0, 40.0, 1e12)])  # one miss column per row
    col = np.full(nr, -1, np.int64)
    _kernels.lsa(cost, col)
    r, c = linear_sum_assignment(cost)
    assert sorted(col.tolist()) == sorted(set(col.tolist()))  # distinct columns
    assert cost[np.arange(nr), col].sum() == pytest.approx(cost[r, c].sum(), rel=1e-12)


def _batch(n: int = 6, **over: float) -> PlotBatch:
    cols: dict[str, object] = dict(
        t=np.arange(n, dtype=float),
        sensor=["r1"] * n,
        lat_deg=38.0,
        lon_deg=127.0,
        alt_m=100.0,
        az_rad=np.linspace(0.1, 0.2, n),
        el_rad=0.3,
        range_m=4.0e5 - 1200.0 * np.arange(n),
        sigma_range_m=50.0,
        range_rate_mps=-1200.0,
        sigma_range_rate_mps=5.0,
    )
    b = PlotBatch.from_columns(**cols)  # type: ignore[arg-type]
    for name, value in over.items():
        getattr(b, name)[2] = value
    return b


def _clean(b: PlotBatch) -> bool:
    return bool(
        _kernels.plots_clean(
            b.t, b.kind == 0, b.lat, b.lon, b.alt, b.range_m, b.az, b.el, b.range_rate,
            b.sigma_range, b.sigma_az, b.sigma_el, b.sigma_range_rate,
        )
    )  # fmt: skip


@pytest.mark.parametrize(
    "field,value",
    [
        ("t", math.nan),
        ("lat", math.inf),
        ("lat", 2.0),
        ("lon", 7.0),
        ("alt", -2e4),
        ("alt", 6e7),
        ("az", -0.1),
        ("az", 7.0),
        ("el", 1.7),
        ("el", math.nan),
        ("range_m", -5.0),
        ("range_m", math.nan),
        ("sigma_range", 0.0),
        ("sigma_az", 0.5),
        ("sigma_el", -1e-4),
        ("range_rate", math.inf),
        ("range_rate", 3e4),
        ("sigma_range_rate", math.nan),
    ],
)
def test_one_pass_check_agrees_with_check_plots(field: str, value: float) -> None:
    good = _batch()
    assert _clean(good)
    ok, issues = check_plots(good)
    assert ok.all() and not issues
    bad = _batch(**{field: value})
    assert not _clean(bad)
    ok, issues = check_plots(bad)
    assert issues  # the full check names the problem (range rate: dropped, plot kept)


def test_bad_batch_takes_the_checked_path_and_loses_nothing_good() -> None:
    """A batch with one bad plot: the engine's fast path is refused, the checked path rejects
    exactly that plot, and the tracker's result equals the NumPy backend's."""
    out = {}
    for backend in ("numba", "numpy"):
        trk = Tracker(TrackerConfig(backend=backend))
        trk.update(10.0, _batch(el=1.9))
        out[backend] = (trk.n_rejected, len(trk.issues), trk.n_tracks, len(trk.pool_t))
    assert out["numba"] == out["numpy"]
    assert out["numba"][0:3] == (1, 1, 1)


def test_pairs_need_a_range_change_that_matches_the_range_rate() -> None:
    """Two missiles on one path a second apart: the later one's plot sits where the first one
    was a scan ago. The Doppler tells the pairs apart: a plot pairs with its own predecessor."""
    for backend in ("numba", "numpy"):
        trk = Tracker(TrackerConfig(backend=backend))
        mk = lambda t, rngs: PlotBatch.from_columns(  # noqa: E731
            t=[t, t], sensor=["r1", "r1"], lat_deg=38.0, lon_deg=127.0, alt_m=0.0,
            az_rad=0.5, el_rad=0.3, range_m=rngs, sigma_range_m=50.0,
            range_rate_mps=-2000.0, sigma_range_rate_mps=5.0,
        )  # fmt: skip
        # missile A 2 km ahead of missile B on the same line of sight, both closing at 2 km/s:
        # B's plot at t=1 is where A's was at t=0, 2 km from B's own earlier plot
        trk.update(0.0, mk(0.0, [4.00e5, 4.02e5]))
        trk.update(1.0, mk(1.0, [3.98e5, 4.00e5]))
        assert trk.n_tracks == 2
        v = trk.x[:, 0, 3:6]
        np.testing.assert_allclose(np.linalg.norm(v, axis=1), 2000.0, rtol=0.05)


def test_two_point_initiation_pairs_only_reachable_plots() -> None:
    """Two plots 1 s apart and 300 m apart pair into a tentative track; a plot 40 km away from
    any earlier one (beyond v_max·dt) waits in the pool and expires after the window."""
    for backend in ("numba", "numpy"):
        trk = Tracker(TrackerConfig(backend=backend, pair_window_s=5.0))
        mk = lambda t, rng, az: PlotBatch.from_columns(  # noqa: E731
            t=[t], sensor=["r1"], lat_deg=38.0, lon_deg=127.0, alt_m=0.0, az_rad=az,
            el_rad=0.3, range_m=rng, sigma_range_m=50.0,
        )  # fmt: skip
        trk.update(0.0, mk(0.0, 4.0e5, 0.5))
        assert trk.n_tracks == 0 and len(trk.pool_t) == 1
        trk.update(1.0, mk(1.0, 4.003e5, 0.5))
        assert trk.n_tracks == 1 and len(trk.pool_t) == 0
        v = trk.x[0, 0, 3:6]
        assert np.linalg.norm(v) == pytest.approx(300.0, rel=0.05)  # 300 m in 1 s
        assert trk.t_first[0] == 0.0 and trk.hits[0] == 2
        trk.update(2.0, mk(2.0, 2.0e5, 1.5))  # far from everything: pooled
        assert len(trk.pool_t) == 1
        trk.update(8.0, mk(8.0, 6.0e5, 2.5))  # the pooled plot is 6 s old: expired
        assert len(trk.pool_t) == 1 and trk.pool_t[0] == 8.0


def test_engine_buffers_survive_new_sensors_and_growth() -> None:
    """Many tracks and a sensor appearing mid-run: the capacity buffers grow and the tracks and
    pool are the same as the NumPy path's."""
    res = {}
    for backend in ("numba", "numpy"):
        trk = Tracker(TrackerConfig(backend=backend))
        for k in range(4):
            n = 80
            names = ["a"] * n if k < 2 else ["a"] * (n // 2) + ["b"] * (n // 2)
            b = PlotBatch.from_columns(
                t=np.full(n, float(k)), sensor=names, lat_deg=38.0, lon_deg=127.0, alt_m=0.0,
                az_rad=np.linspace(0.1, 3.0, n), el_rad=0.3, range_m=4.0e5 + 200.0 * k,
                sigma_range_m=50.0,
            )  # fmt: skip
            trk.update(float(k), b)
        res[backend] = (trk.ids.tolist(), np.round(trk.x[:, 0, 0:3], 3).tolist(), trk.pool_t)
    assert res["numba"][0] == res["numpy"][0]
    np.testing.assert_allclose(res["numba"][1], res["numpy"][1], atol=1e-3)
    np.testing.assert_array_equal(res["numba"][2], res["numpy"][2])


def test_run_scans_spreads_the_engine_tuples_in_field_order() -> None:
    """The compiled entry's flat parameters are the tuples' fields in order, so the tracker's
    ``run_scans(*scans, *trk, *pool, ..., *out)`` hands every array to the field of its name."""
    params = list(inspect.signature(_kernels.run_scans.py_func).parameters)
    assert params == [
        *_kernels.ScanInput._fields,
        *_kernels.TrackState._fields,
        *(f"pool_{f}" for f in _kernels.PlotPool._fields),
        *("scan_t", "istate", "fstate", "cf", "ci", "t_end"),
        *_kernels.EngineOutput._fields,
    ]


def test_engine_settings_fill_every_slot_once() -> None:
    slots = {k: v for k, v in vars(_kernels).items() if k.startswith("C_")}
    assert sorted(slots.values()) == list(range(_kernels.N_CF))
    islots = {k: v for k, v in vars(_kernels).items() if k.startswith("I_")}
    assert sorted(islots.values()) == list(range(_kernels.N_CI))
    cfg = TrackerConfig(coast_timeout_s=12.5, miss_drop=4, jpda=False)
    trk = Tracker(cfg)
    assert not np.isnan(trk._cf).any()
    assert trk._cf[_kernels.C_COAST_TIMEOUT] == 12.5
    assert trk._ci.tolist() == [cfg.confirm_hits, cfg.confirm_window, 4, 0]
