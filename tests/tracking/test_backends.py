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
