"""Turn tracks into what the warning needs: launch point and time, class, apogee, range, impact
point with a calibrated 95 % ellipse and impact time, ground track."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from trilink.assess.ellipse_scale import scale_cov
from trilink.assess.impact import ImpactPrediction, ellipse_from_cov, predict_impact
from trilink.assess.launch import burnout_of, launch_of
from trilink.geo import geodesic_inverse
from trilink.geo.frames import R_EARTH_MEAN
from trilink.physics.catalogue import classify_range
from trilink.physics.flight import equivalent_range_km
from trilink.tracking.dynamics import BETA_NOMINAL
from trilink.tracking.tracker import TrackHistory, TrackSet

# classify_range is re-exported: the class an assessment reports follows it.
__all__ = ["Assessment", "AssessConfig", "assess", "classify_range", "impact_state"]


@dataclass
class AssessConfig:
    beta: float = BETA_NOMINAL  # nominal ballistic coefficient [kg/m²]
    log_beta_sigma: float = 0.3  # uncertainty of ln β: catalogue RVs span 2,500–5,000 kg/m²
    #: P(boost) below which the ballistic model's own estimate is flown; above it the combined
    #: IMM estimate (wider: it still carries the boost hypothesis' spread).
    ballistic_below: float = 0.05
    #: Apply the empirical ellipse calibration (:mod:`trilink.assess.ellipse_scale`).
    calibrated_ellipse: bool = True


@dataclass
class Assessment:
    """One track's assessment at time ``t`` (see the track format in ``docs/formats.md``)."""

    t: float
    track: str
    phase: str
    launch_lat: float | None
    launch_lon: float | None
    launch_t: float | None
    launch_sigma_m: float | None
    launch_t_sigma_s: float | None
    burnout_t: float | None
    burnout_alt_km: float | None
    burnout_speed_mps: float | None
    apogee_km: float
    range_km: float | None
    #: minimum-energy range of the burnout speed (what a lofted shot could reach)
    energy_range_km: float | None
    cls: str
    impact_lat: float | None
    impact_lon: float | None
    impact_t: float | None
    impact_t_sigma_s: float | None
    ellipse_major_m: float | None
    ellipse_minor_m: float | None
    ellipse_azimuth_deg: float | None
    ground_track: list[list[float]] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        d = asdict(self)
        d["class"] = d.pop("cls")
        return {k: _clean(v) for k, v in d.items()}


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _opt(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def impact_state(ts: TrackSet, cfg: AssessConfig) -> tuple[np.ndarray, np.ndarray]:
    """The state and covariance [K, 6] / [K, 6, 6] each track's impact prediction flies."""
    firm = (ts.mu_boost < cfg.ballistic_below)[:, None]
    x = np.where(firm, ts.x_ballistic, ts.x[:, 0:6])
    P = np.where(firm[:, :, None], ts.P_ballistic, ts.P[:, 0:6, 0:6])
    return x, P


def assess(
    ts: TrackSet,
    history: dict[int, TrackHistory],
    config: AssessConfig | None = None,
    impact: ImpactPrediction | None = None,
) -> list[Assessment]:
    """Assess every track of ``ts`` (batched impact prediction).

    ``impact``: the tracks' impact prediction when the caller already made it (one row per
    track of ``ts``, from :func:`impact_state` and ``config``'s β), e.g. batched over many
    track sets by the calibration study."""
    cfg = config or AssessConfig()
    if not len(ts):
        return []
    if impact is not None:
        if len(impact.impact_lat) != len(ts):
            raise ValueError(f"impact has {len(impact.impact_lat)} rows for {len(ts)} tracks")
        imp = impact
    else:
        # Impact prediction assumes no further thrust: fly the ballistic model's own estimate
        # (the combined IMM estimate carries the boost model's spread, which over-states coast
        # errors).
        xs, Ps = impact_state(ts, cfg)
        imp = predict_impact(ts.t, xs, Ps, cfg.beta, cfg.log_beta_sigma)
    out = []
    for k, tid in enumerate(ts.ids.tolist()):
        hist = history.get(tid, TrackHistory())
        launch = launch_of(tid, history)
        bo = burnout_of(tid, history)
        # apogee: the highest point seen so far or ahead on the nominal path
        seen = max((float(np.linalg.norm(x[0:3])) for x in hist.x), default=0.0)
        apogee = max(float(imp.apogee_km[k]), 0.0)
        if seen:
            from trilink.tracking.dynamics import altitude_approx

            hs = altitude_approx(np.array([x[0:3] for x in hist.x]))
            apogee = max(apogee, float(hs.max()) / 1000.0)
        rng_km: float | None = None
        if launch is not None and math.isfinite(imp.impact_lat[k]):
            _, _, dist = geodesic_inverse(
                launch.lat, launch.lon, imp.impact_lat[k], imp.impact_lon[k]
            )
            rng_km = float(dist) / 1000.0
        # Lofted tests fly short: like the physics' plan (trilink.physics.flight), the class
        # follows the range the same burnout speed would reach on a minimum-energy path.
        eq_km: float | None = None
        if bo is not None:
            eq = equivalent_range_km(bo.speed_mps, R_EARTH_MEAN + 1000.0 * bo.alt_km)
            eq_km = eq if math.isfinite(eq) else None
        if imp.orbital[k]:
            cls = "SLV"
        elif rng_km is not None:
            cls = classify_range(max(rng_km, eq_km or 0.0))
        else:
            cls = "unknown"
        major, minor, az = (
            float(imp.ellipse_major_m[k]),
            float(imp.ellipse_minor_m[k]),
            float(imp.ellipse_azimuth_deg[k]),
        )
        if cfg.calibrated_ellipse and math.isfinite(major):
            since = ts.t - bo.t if bo else None
            cov = scale_cov(imp.cov_en[k], cls, since)[None]
            ma, mi, az_ = ellipse_from_cov(cov)
            major, minor, az = float(ma[0]), float(mi[0]), float(az_[0])
        out.append(
            Assessment(
                t=ts.t,
                track=f"T{tid:04d}",
                phase=ts.phase[k],
                launch_lat=launch.lat if launch else None,
                launch_lon=launch.lon if launch else None,
                launch_t=launch.t if launch else None,
                launch_sigma_m=launch.sigma_m if launch else None,
                launch_t_sigma_s=launch.t_sigma_s if launch else None,
                burnout_t=bo.t if bo else None,
                burnout_alt_km=bo.alt_km if bo else None,
                burnout_speed_mps=bo.speed_mps if bo else None,
                apogee_km=apogee,
                range_km=rng_km,
                energy_range_km=eq_km,
                cls=cls,
                impact_lat=_opt(imp.impact_lat[k]),
                impact_lon=_opt(imp.impact_lon[k]),
                impact_t=_opt(imp.impact_t[k]),
                impact_t_sigma_s=_opt(imp.impact_t_sigma[k]),
                ellipse_major_m=_opt(major),
                ellipse_minor_m=_opt(minor),
                ellipse_azimuth_deg=_opt(az),
                ground_track=[[float(a), float(b)] for a, b in imp.ground_track[k]],
            )
        )
    return out
