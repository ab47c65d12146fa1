"""Track-to-track fusion of two nodes that share a radar (correlated errors): covariance
intersection is at least as accurate as either node alone and never overconfident."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from trilink.synthetic.flights import DEFAULT_RADARS, fly, make_plots, salvo
from trilink.tracking.fusion import covariance_intersection, fuse_tracks, nees
from trilink.tracking.metrics import run_tracker

from .helpers import true_state_near


def test_ci_is_never_tighter_than_the_information_sum_and_bounds_both() -> None:
    rng = np.random.default_rng(0)
    A = rng.normal(size=(50, 6, 6))
    B = rng.normal(size=(50, 6, 6))
    Pa = A @ np.swapaxes(A, 1, 2) + np.eye(6)
    Pb = B @ np.swapaxes(B, 1, 2) + np.eye(6)
    xa, xb = rng.normal(size=(50, 6)), rng.normal(size=(50, 6))
    _, P, w = covariance_intersection(xa, Pa, xb, Pb)
    assert np.all((w >= 0) & (w <= 1))
    # the determinant is no larger than either input's
    assert np.all(np.linalg.det(P) <= np.minimum(np.linalg.det(Pa), np.linalg.det(Pb)) * 1.0001)
    # and never smaller than the (overconfident) independent-information fusion
    Pn = np.linalg.inv(np.linalg.inv(Pa) + np.linalg.inv(Pb))
    assert np.all(np.linalg.eigvalsh(P - Pn) > -1e-9)
    # identical estimates fuse to themselves (no double counting of the same information)
    x2, P2, _ = covariance_intersection(xa, Pa, xa, Pa)
    np.testing.assert_allclose(x2, xa, atol=1e-9)
    np.testing.assert_allclose(P2, Pa, rtol=1e-6)


@pytest.fixture(scope="module")
def two_nodes() -> tuple[list, list, list]:
    trajs = fly(salvo(3, seed=41, spread_s=10.0))
    ra, rb, rc = DEFAULT_RADARS
    plots_a, _ = make_plots(trajs, (ra, rb), seed=42)
    # node B sees radar R-B too, with the very same plots (shared sensor: correlated errors)
    plots_c, _ = make_plots(trajs, (rc,), seed=43)
    shared = plots_a.select(plots_a.sensor == 1)
    from trilink.tracking.plots import PlotBatch

    cols = {}
    for name in PlotBatch.__dataclass_fields__:
        if name == "sensor_names":
            continue
        a, b = getattr(shared, name), getattr(plots_c, name)
        cols[name] = np.concatenate([a, b])
    cols["sensor"] = np.concatenate(
        [np.zeros(len(shared), np.int64), np.ones(len(plots_c), np.int64)]
    )
    plots_b = PlotBatch(sensor_names=["R-B", "R-C"], **cols)
    plots_b = plots_b.select(np.argsort(plots_b.t, kind="stable"))
    start = float(min(plots_a.t[0], plots_b.t[0]))
    _, _, sets_a = run_tracker(trajs, plots_a, start=start)
    _, _, sets_b = run_tracker(trajs, plots_b, start=start)
    return trajs, sets_a, sets_b


def test_fusion_of_two_nodes_is_accurate_and_consistent(two_nodes: tuple[list, list, list]) -> None:
    trajs, sets_a, sets_b = two_nodes
    by_t_b = {round(s.t, 6): s for s in sets_b}
    err = {"a": [], "b": [], "f": []}
    nees_f = []
    for sa in sets_a[::5]:
        sb = by_t_b.get(round(sa.t, 6))
        if sb is None or not len(sa) or not len(sb):
            continue
        # partner tracks are a little stale (sent a second ago) and carry no sensor identity
        fused = fuse_tracks(
            sa.t, sa.x[:, 0:6], sa.P[:, 0:6, 0:6], np.full(len(sb), sb.t), sb.x, sb.P
        )
        for k in range(len(fused.x)):
            oi, pi = fused.own_index[k], fused.partner_index[k]
            if oi < 0 or pi < 0:
                continue
            if sa.t - sa.t_first[oi] < 30 or sb.t - sb.t_first[pi] < 30:
                continue
            truth = true_state_near(trajs, sa.t, sa.x[oi, 0:3])
            if truth is None:
                continue
            err["a"].append(np.linalg.norm(sa.x[oi, 0:3] - truth[0:3]))
            err["b"].append(np.linalg.norm(sb.x[pi, 0:3] - truth[0:3]))
            err["f"].append(np.linalg.norm(fused.x[k, 0:3] - truth[0:3]))
            nees_f.append(float(nees((fused.x[k] - truth)[None], fused.P[k][None])[0]))
    assert len(err["f"]) > 30
    rmse = {k: float(np.sqrt(np.mean(np.square(v)))) for k, v in err.items()}
    assert rmse["f"] <= min(rmse["a"], rmse["b"]), rmse
    nees_arr = np.array(nees_f)
    # never overconfident: mean NEES at or below its 6 degrees of freedom (with sampling slack),
    # and the tail no heavier than a consistent estimator's
    assert nees_arr.mean() <= 6.0 * 1.25, nees_arr.mean()
    assert np.mean(nees_arr > chi2.ppf(0.99, 6)) <= 0.05
