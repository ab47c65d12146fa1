"""Each track-management rule of the tracker, pinned directly in both backends: the association
gate, the coast and tentative timeouts, and deletion by missed scans (M-of-N for tentative
tracks, a sensor's missed-scan drop for confirmed ones).

The target flies the tracker's own ballistic model and the plots carry no noise, so every
track follows its object exactly and each rule decides the outcome on its own.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.stats import chi2

from trilink.tracking import _kernels
from trilink.tracking.dynamics import propagate
from trilink.tracking.measurement import RADAR, predict_measurement
from trilink.tracking.plots import PlotBatch
from trilink.tracking.tracker import Tracker, TrackerConfig

BACKENDS = [
    "numpy",
    pytest.param(
        "numba", marks=pytest.mark.skipif(not _kernels.AVAILABLE, reason="numba not installed")
    ),
]

SIGMA_RANGE = 50.0
SIGMA_ANGLE = 5e-4
SITES = {"A": (38.0, 127.0), "B": (36.0, 129.0)}


def _plot(t: float, sensor: str, z: NDArray[np.float64]) -> PlotBatch:
    """One radar plot (range, az, el) of ``sensor`` at ``t``."""
    lat, lon = SITES[sensor]
    return PlotBatch.from_columns(
        t=[t], sensor=[sensor], lat_deg=lat, lon_deg=lon, alt_m=0.0, az_rad=z[1], el_rad=z[2],
        range_m=z[0], sigma_range_m=SIGMA_RANGE, sigma_az_rad=SIGMA_ANGLE,
        sigma_el_rad=SIGMA_ANGLE,
    )  # fmt: skip


def _frame(sensor: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    b = _plot(0.0, sensor, np.array([1.0e5, 0.0, 0.0]))
    return b.site_ecef()[0], b.site_rotation()[0]


def _truth(t: float) -> NDArray[np.float64]:
    """The target's state [9] at ``t``: 400 km from radar A at 150 km height (no drag), 2 km/s."""
    site, rot = _frame("A")
    az, el, rng = 0.5, 0.38, 4.0e5
    enu = rng * np.array([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)])
    x0 = np.zeros(9)
    x0[0:3] = site + rot.T @ enu
    x0[3:6] = rot.T @ np.array([-1500.0, -1300.0, 200.0])
    return propagate(x0[None], np.zeros(1), t)[0]


def _seen_by(sensor: str, t: float) -> NDArray[np.float64]:
    site, rot = _frame(sensor)
    h, _ = predict_measurement(_truth(t)[None], site, rot, RADAR)
    return h[0]


def _elsewhere(k: int) -> NDArray[np.float64]:
    """A plot of radar A far from the target and from every other such plot (k = 0, 1, ...):
    it neither gates with the track nor pairs with another."""
    return np.array([3.0e5, 2.0 + 0.2 * k, 0.2])


def _tracker(backend: str, scans: int) -> Tracker:
    """A tracker that has seen the target in radar A's scans at t = 0 .. scans-1."""
    trk = Tracker(TrackerConfig(backend=backend))
    for k in range(scans):
        trk.update(float(k), _plot(float(k), "A", _seen_by("A", float(k))))
    return trk


@pytest.mark.parametrize("backend", BACKENDS)
def test_target_track_is_confirmed_on_the_third_hit(backend: str) -> None:
    trk = _tracker(backend, 2)
    assert trk.n_tracks == 1 and not trk.confirmed[0] and trk.hits[0] == 2
    trk.update(2.0, _plot(2.0, "A", _seen_by("A", 2.0)))
    assert trk.n_tracks == 1 and trk.confirmed[0] and trk.hits[0] == 3


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("scale", [0.95, 1.05])
def test_a_plot_updates_the_track_only_inside_the_gate(backend: str, scale: float) -> None:
    """A plot at Mahalanobis distance² of ``scale`` × the configured gate (chi² quantile of
    ``gate_prob``): just inside it updates the confirmed track; just outside it leaves the
    track alone and waits in the pool to start a track of its own."""
    trk = _tracker(backend, 6)
    t = 6.0
    trk.update(t)  # predict to the scan time, so the gate below is the one the scan uses
    mu, x, P = trk.mu[0], trk.x[0], trk.P[0]
    xc = mu @ x
    dx = x - xc
    Pc = np.einsum("j,jkl->kl", mu, P + dx[:, :, None] * dx[:, None, :])
    site, rot = _frame("A")
    h, H = predict_measurement(xc[None], site, rot, RADAR)
    S = H[0] @ Pc @ H[0].T + np.diag([SIGMA_RANGE**2, SIGMA_ANGLE**2, SIGMA_ANGLE**2])
    gate = float(chi2.ppf(trk.config.gate_prob, 3))
    u = np.ones(3) / np.sqrt(3.0)
    z = h[0] + np.sqrt(scale * gate) * (np.linalg.cholesky(S) @ u)
    n_upd, t_last = int(trk.n_upd[0]), float(trk.t_last[0])
    trk.update(t, _plot(t, "A", z))
    assert trk.n_tracks == 1
    if scale < 1.0:
        assert trk.n_upd[0] == n_upd + 1 and trk.t_last[0] == t
        assert len(trk.pool_t) == 0
    else:
        assert trk.n_upd[0] == n_upd and trk.t_last[0] == t_last
        assert trk.pool_t.tolist() == [t]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("scans", "timeout", "quiet"),
    [
        (4, "coast_timeout_s", 29.5),
        (4, "coast_timeout_s", 30.5),
        (2, "tentative_timeout_s", 4.5),
        (2, "tentative_timeout_s", 5.5),
    ],
)
def test_track_is_deleted_after_its_timeout(
    backend: str, scans: int, timeout: str, quiet: float
) -> None:
    """A confirmed track (four scans) without an update for longer than ``coast_timeout_s``
    (30 s), or a tentative one (two scans) for longer than ``tentative_timeout_s``, is deleted at
    the next scan; just shorter, it survives. The scan is radar B's, which never saw the track,
    so no missed scan counts against it."""
    trk = _tracker(backend, scans)
    assert trk.confirmed.tolist() == [scans == 4]
    t = scans - 1.0 + quiet
    trk.update(t, _plot(t, "B", np.array([3.0e5, 1.0, 0.2])))
    assert trk.n_tracks == (1 if quiet < getattr(trk.config, timeout) else 0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("misses", [2, 3])
def test_tentative_track_is_deleted_by_m_of_n(backend: str, misses: int) -> None:
    """A tentative track (two hits of five opportunities so far) survives two missed scans of
    its radar — it could still reach 3 of 5 — and is deleted at the third."""
    trk = _tracker(backend, 2)
    for k in range(misses):
        t = 2.0 + k
        trk.update(t, _plot(t, "A", _elsewhere(k)))
    alive = misses <= trk.config.confirm_window - trk.config.confirm_hits
    assert trk.n_tracks == (1 if alive else 0)
    if alive:
        assert not trk.confirmed[0] and trk.hits[0] == 2 and trk.opps[0] == 2 + misses


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("misses", [5, 6])
def test_confirmed_track_is_deleted_after_miss_drop_missed_scans(backend: str, misses: int) -> None:
    """A confirmed track seen by one radar only: after ``miss_drop`` (6) consecutive scans of
    that radar without its plot no sensor expects it any more and it is deleted; after one
    scan fewer it lives on (the coast timeout is far)."""
    trk = _tracker(backend, 4)
    assert trk.confirmed.tolist() == [True]
    for k in range(misses):
        t = 4.0 + k
        trk.update(t, _plot(t, "A", _elsewhere(k)))
    alive = misses < trk.config.miss_drop
    assert trk.n_tracks == (1 if alive else 0)
    if alive:
        assert trk.miss[0, trk._sensors["A"]] == misses


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_hit_resets_the_missed_scan_count(backend: str) -> None:
    """Five misses, a hit, five misses: never six in a row, so the confirmed track lives."""
    trk = _tracker(backend, 4)
    k = 0
    for t in np.arange(4.0, 15.0):
        if t == 9.0:
            trk.update(t, _plot(t, "A", _seen_by("A", t)))
        else:
            trk.update(t, _plot(t, "A", _elsewhere(k)))
            k += 1
    assert trk.n_tracks == 1 and trk.miss[0, trk._sensors["A"]] == 5
