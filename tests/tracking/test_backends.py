"""The compiled (Numba) kernels and the NumPy path compute the same tracks."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pytest

from trilink.tracking import _kernels
from trilink.tracking.metrics import run_tracker
from trilink.tracking.plots import PlotBatch
from trilink.tracking.tracker import Tracker, TrackerConfig


@pytest.mark.skipif(not _kernels.AVAILABLE, reason="numba not installed")
def test_numba_and_numpy_backends_agree(salvo3: tuple[list, PlotBatch, np.ndarray]) -> None:
    trajs, plots, _ = salvo3
    sub = plots.select(np.flatnonzero(plots.t < plots.t[0] + 150))
    _, sa, a = run_tracker(trajs, sub, Tracker(TrackerConfig(backend="numba")))
    _, sb, b = run_tracker(trajs, sub, Tracker(TrackerConfig(backend="numpy")))
    assert asdict(sa) == pytest.approx(asdict(sb), rel=1e-9)
    for x, y in zip(a, b, strict=True):
        assert x.ids.tolist() == y.ids.tolist()
        np.testing.assert_allclose(x.x, y.x, rtol=0, atol=1e-4)
        np.testing.assert_allclose(x.P, y.P, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(x.mu_boost, y.mu_boost, rtol=1e-6, atol=1e-9)


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown tracker backend"):
        Tracker(TrackerConfig(backend="gpu"))


@pytest.mark.skipif(not _kernels.AVAILABLE, reason="numba not installed")
def test_backends_agree_through_staging_and_jpda() -> None:
    """A Hwasong-12 flight (boost, staging, the spent stage drifting from the re-entry vehicle):
    two-point initiation, JPDA between the two close objects and the drag noise run in both
    backends, with the same tracks."""
    from trilink.physics import plan_flight
    from trilink.synthetic.flights import make_plots

    fp = plan_flight(39.0, 125.7, 90.0, 1.7e9, missile="Hwasong-12")
    plots, _ = make_plots(fp.trajectories, seed=5, t_end=fp.launch_time + 600.0)
    fast = Tracker(TrackerConfig(backend="numba"))
    ref = Tracker(TrackerConfig(backend="numpy"))
    soft_updates = 0
    pda = ref._pda_update

    def counted(*args: object) -> None:
        nonlocal soft_updates
        soft_updates += 1
        pda(*args)  # type: ignore[arg-type]

    ref._pda_update = counted  # type: ignore[method-assign]
    _, sa, a = run_tracker(fp.trajectories, plots, fast)
    _, sb, b = run_tracker(fp.trajectories, plots, ref)
    assert soft_updates > 100  # the JPDA path was exercised
    assert asdict(sa) == pytest.approx(asdict(sb), rel=1e-9)
    for x, y in zip(a, b, strict=True):
        assert x.ids.tolist() == y.ids.tolist()
        np.testing.assert_allclose(x.x, y.x, rtol=0, atol=1e-4)
        np.testing.assert_allclose(x.P, y.P, rtol=1e-6, atol=1e-6)
