"""Plan a flight: fit a missile's boost to a published apogee and range, then fly it.

Fitting. A published launch gives the launch site, roughly the direction, the apogee and the
ground range; the boost that produced them is unknown. trilink keeps the missile's (notional)
stages and fits two numbers: ``scale``, the propellant load as a fraction of the catalogue's (burn
times scale with it), and ``theta_end``, the final thrust elevation of the pitch program (high for
lofted, ~40° for minimum energy, low for depressed flights). A coarse grid over (scale, θ) is
flown in one vectorised batch; Gauss–Newton with batched finite differences then refines it, while
the commanded azimuth is corrected by the drift that Earth rotation causes, so the ground range
and direction are met in the Earth-fixed frame where they were published.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from trilink import TrilinkError
from trilink.geo.frames import GM_EARTH, R_EARTH_MEAN, ecef_to_geodetic, eci_to_ecef
from trilink.geo.geodesy import geodesic_direct, geodesic_inverse
from trilink.physics.catalogue import MISSILES, Missile, classify_range, get_missile
from trilink.physics.propagate import BoostProgram, FlightSamples, launch_state, propagate
from trilink.physics.trajectory import Trajectory, hermite

__all__ = [
    "FitResult",
    "FlightPlan",
    "equivalent_range_km",
    "fit_boost",
    "fly_missiles",
    "min_energy_apogee_km",
    "plan_flight",
    "select_missile",
]

Array = NDArray[np.float64]

_T_MAX_BALLISTIC = 3.0 * 3600.0
_STAGE_BETA = 300.0  # notional ballistic coefficient of a tumbling spent stage [kg/m²]
_SEPARATION_DV = 1.0  # m/s, spent stage falls back relative to what it released


@dataclass(frozen=True)
class FitResult:
    """The boost parameters found, and how well they reproduce the targets."""

    missile: str
    scale: float
    theta_end_deg: float
    azimuth_cmd_deg: float
    apogee_km: float
    range_km: float
    iterations: int
    converged: bool


@dataclass
class FlightPlan:
    """A flown launch: its objects' trajectories and its summary figures (launch, burnout,
    apogee, range, impact, class)."""

    trajectories: list[Trajectory]
    missile: str
    launch_lat: float
    launch_lon: float
    launch_time: float
    azimuth_deg: float
    apogee_km: float
    range_km: float
    flight_time_s: float
    burnout_time_s: float
    burnout_altitude_km: float
    burnout_speed_mps: float
    burnout_gamma_deg: float
    impact_lat: float
    impact_lon: float
    orbital: bool
    missile_class: str
    fit: FitResult | None = None
    extra: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, float | str | bool | None]:
        """The JSON-ready summary printed by ``trilink trajectory fit``."""
        return {
            "missile": self.missile,
            "class": self.missile_class,
            "launch_lat": round(self.launch_lat, 5),
            "launch_lon": round(self.launch_lon, 5),
            "azimuth_deg": round(self.azimuth_deg, 3),
            "flight_time_s": round(self.flight_time_s, 1),
            "burnout_time_s": round(self.burnout_time_s, 1),
            "burnout_altitude_km": round(self.burnout_altitude_km, 2),
            "burnout_speed_mps": round(self.burnout_speed_mps, 1),
            "burnout_gamma_deg": round(self.burnout_gamma_deg, 2),
            "apogee_km": round(self.apogee_km, 2),
            "range_km": round(self.range_km, 2),
            "impact_lat": None if math.isnan(self.impact_lat) else round(self.impact_lat, 5),
            "impact_lon": None if math.isnan(self.impact_lon) else round(self.impact_lon, 5),
            "orbital": self.orbital,
            "equivalent_range_km": _finite_or_none(self.extra.get("equivalent_range_km")),
            "propellant_scale": None if self.fit is None else round(self.fit.scale, 4),
            "theta_end_deg": None if self.fit is None else round(self.fit.theta_end_deg, 3),
            # More than the catalogue's propellant: the published flight exceeds the notional
            # model of this missile (or the missile was misidentified).
            "within_catalogue_envelope": None if self.fit is None else self.fit.scale <= 1.05,
        }


def _finite_or_none(x: float | None) -> float | None:
    return round(x, 1) if x is not None and math.isfinite(x) else None


def _required_speed(apogee_km: float, range_km: float) -> float:
    """Burnout speed of a vacuum Kepler arc from the surface with this apogee and range."""
    re = R_EARTH_MEAN
    ra = re + apogee_km * 1e3
    phi = range_km * 1e3 / (2.0 * re)
    e = (ra - re) / (ra - re * math.cos(phi))
    p = ra * (1.0 - e)
    a = p / (1.0 - e * e)
    return math.sqrt(GM_EARTH * (2.0 / re - 1.0 / a))


def _kepler_time_s(apogee_km: float, range_km: float) -> float:
    """Vacuum Kepler flight time from the surface back to it, for this apogee and range."""
    mu, re = GM_EARTH, R_EARTH_MEAN
    ra = re + apogee_km * 1e3
    phi = range_km * 1e3 / (2.0 * re)
    e = (ra - re) / (ra - re * math.cos(phi))
    a = ra * (1.0 - e) / (1.0 - e * e)
    nu = math.pi - phi  # true anomaly at launch; apogee at π
    ecc_anom = 2.0 * math.atan(math.sqrt((1.0 - e) / (1.0 + e)) * math.tan(nu / 2.0))
    mean_anom = ecc_anom - e * math.sin(ecc_anom)
    return 2.0 * (math.pi - mean_anom) / math.sqrt(mu / a**3)


def select_missile(apogee_km: float, range_km: float) -> Missile:
    """The smallest catalogue missile whose Δv covers the flight with typical losses."""
    need = _required_speed(apogee_km, range_km)
    # Gravity and drag losses of ballistic missiles: roughly 0.6–1.5 km/s, growing with Δv.
    need_dv = 1.12 * need + 600.0
    candidates = sorted(
        (m for m in MISSILES.values() if m.nominal_class != "SLV"), key=lambda m: m.ideal_delta_v
    )
    for m in candidates:
        if m.ideal_delta_v >= need_dv:
            return m
    return candidates[-1]


def _fly_batch(
    lat: float, lon: float, missiles: list[Missile], scale: Array, theta: Array, az_cmd: Array
) -> list[tuple[FlightSamples, float, float, float]]:
    """Fly a batch of RVs; each with (samples, apogee_km, range_km, azimuth_deg to impact)."""
    n = len(missiles)
    r0, v0, normal = launch_state(np.full(n, lat), np.full(n, lon), az_cmd)
    prog = BoostProgram.build(missiles, scale, theta, normal)
    flights = propagate(r0, v0, _T_MAX_BALLISTIC, prog)
    out = []
    for f in flights:
        pos, _ = eci_to_ecef(f.r, f.v, f.t)
        la, lo, al = ecef_to_geodetic(pos)
        az, _, dist = geodesic_inverse(lat, lon, np.degrees(la[-1]), np.degrees(lo[-1]))
        out.append((f, float(al.max()) / 1e3, float(dist) / 1e3, float(az)))
    return out


def fit_boost(
    lat: float,
    lon: float,
    azimuth_deg: float,
    apogee_km: float,
    range_km: float,
    missile: Missile | None = None,
    tol: float = 5e-4,
    max_iter: int = 25,
) -> FitResult:
    """Find (propellant scale, final pitch angle, commanded azimuth) giving apogee and range."""
    for name, value in (("apogee", apogee_km), ("range", range_km)):
        if not math.isfinite(value) or value <= 0:
            raise TrilinkError(f"{name} must be a positive number of km, got {value}")
    if apogee_km > 20000 or range_km > 20000:
        raise TrilinkError("apogee and range must be below 20,000 km for a ballistic flight")
    m = missile or select_missile(apogee_km, range_km)
    target = np.array([math.log(apogee_km), math.log(range_km), 0.0])

    def resid(run: tuple[FlightSamples, float, float, float]) -> Array:
        # Log errors of apogee and range; azimuth error in radians (comparable magnitudes).
        d_az = math.radians((run[3] - azimuth_deg + 180.0) % 360.0 - 180.0)
        got = np.array([math.log(max(run[1], 1e-3)), math.log(max(run[2], 1e-3)), d_az])
        out: Array = got - target
        return out

    # Coarse grid in one batch.
    s_mesh, t_mesh = np.meshgrid(np.linspace(0.25, 1.3, 8), np.radians(np.linspace(-10, 86, 13)))
    sg, tg = s_mesh.ravel(), t_mesh.ravel()
    grid = _fly_batch(lat, lon, [m] * len(sg), sg, tg, np.full(len(sg), azimuth_deg))
    # Start from the best grid point whose flight time fits a ballistic arc of the target shape:
    # high-energy, low-pitch candidates can circle the globe and land near the target range.
    t_limit = 1.3 * _kepler_time_s(apogee_km, range_km) + m.burn_time_s * 1.3 + 120.0
    costs = [float(np.sum(resid(g)[:2] ** 2)) if g[0].t[-1] <= t_limit else math.inf for g in grid]
    best = int(np.argmin(costs))
    # Unknowns: propellant scale, final pitch θ [rad], commanded azimuth [rad].
    x = np.array([sg[best], tg[best], math.radians(2 * azimuth_deg - grid[best][3])])
    lower = np.array([0.05, math.radians(-15.0), -np.inf])
    upper = np.array([2.0, math.radians(87.0), np.inf])
    limit = np.array([0.15, math.radians(8.0), math.radians(10.0)])
    apo, rng = grid[best][1], grid[best][2]
    it, converged = 0, False
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        h = np.array([1e-3 * max(x[0], 0.1), 1e-3, 1e-3])
        xs = np.vstack([x, x + np.diag(h)])
        runs = _fly_batch(lat, lon, [m] * 4, xs[:, 0], xs[:, 1], np.degrees(xs[:, 2]))
        r_base = resid(runs[0])
        apo, rng = runs[0][1], runs[0][2]
        if np.max(np.abs(r_base)) < tol:
            converged = True
            break
        jac = np.column_stack([(resid(runs[k + 1]) - r_base) / h[k] for k in range(3)])
        step = -np.linalg.lstsq(jac, r_base, rcond=None)[0]
        # Damp big steps: the map is smooth but strongly curved near vertical and grazing flight.
        step = np.clip(step, -limit, limit)
        x = np.clip(x + step, lower, upper)
    return FitResult(
        missile=m.name,
        scale=float(x[0]),
        theta_end_deg=float(np.degrees(x[1])),
        azimuth_cmd_deg=float(np.degrees(x[2])) % 360.0,
        apogee_km=apo,
        range_km=rng,
        iterations=it,
        converged=converged,
    )


def _to_trajectory(
    object_id: str,
    f: FlightSamples,
    t_offset: float,
    launch_time: float,
    burnout: float,
    dt: float,
    kind: str,
    missile: str,
) -> Trajectory:
    """Resample ECI integrator output on a uniform ``dt`` grid in absolute time, in ECEF."""
    t_rel = f.t + t_offset
    grid = np.arange(t_rel[0], t_rel[-1], dt)
    if grid[-1] < t_rel[-1]:
        grid = np.append(grid, t_rel[-1])
    r, v, _ = hermite(t_rel, f.r, f.v, grid)
    pos, vel = eci_to_ecef(r, v, grid)
    return Trajectory(
        object_id=object_id,
        t=launch_time + grid,
        ecef=pos,
        vel=vel,
        burning=grid < burnout,
        kind=kind,
        missile=missile,
    )


def plan_flight(
    site_lat_deg: float,
    site_lon_deg: float,
    azimuth_deg: float,
    launch_time: float,
    *,
    missile: str | None = None,
    apogee_km: float | None = None,
    range_km: float | None = None,
    burnout: tuple[float, float, float] | None = None,
    object_id: str = "L1",
    dt: float = 1.0,
    max_time_s: float | None = None,
    with_boosters: bool = True,
) -> FlightPlan:
    """Fly one launch and return its objects and summary.

    Give ``apogee_km`` and/or ``range_km`` (fitted), or ``burnout`` = (time s, speed m/s,
    flight-path angle deg), or only ``missile`` (flown with its full load on a
    minimum-energy-like pitch program; an SLV flies its orbital program). With only
    ``range_km`` the apogee is that of the minimum-energy arc (:func:`min_energy_apogee_km`);
    with only ``apogee_km`` (a ``missile`` is then needed) the range is the one the missile's
    full catalogue load reaches when pitched to that apogee (:func:`_range_for_apogee`). With
    ``burnout`` the time sets the propellant load (fixed engines) and the angle is matched; the
    speed is then what the missile's stages give — it is checked by the caller, not fitted (a
    third knob, thrust, would make the catalogue meaningless).
    """
    for name, value in (("latitude", site_lat_deg), ("longitude", site_lon_deg)):
        if not math.isfinite(value):
            raise TrilinkError(f"launch {name} must be finite")
    if not -90 <= site_lat_deg <= 90 or not -180 <= site_lon_deg <= 360:
        raise TrilinkError(f"launch site ({site_lat_deg}, {site_lon_deg}) is not on the Earth")
    if not math.isfinite(azimuth_deg):
        raise TrilinkError("azimuth must be finite")
    try:
        m = get_missile(missile) if missile else None
    except KeyError as exc:
        raise TrilinkError(str(exc.args[0])) from exc
    fit: FitResult | None = None
    if apogee_km is not None or range_km is not None:
        if range_km is None:
            assert apogee_km is not None
            if m is None:
                raise TrilinkError(
                    "an apogee alone needs a missile: its catalogue load sets the range"
                )
            range_km = _range_for_apogee(site_lat_deg, site_lon_deg, azimuth_deg, m, apogee_km)
        elif apogee_km is None:
            apogee_km = min_energy_apogee_km(range_km)
        fit = fit_boost(site_lat_deg, site_lon_deg, azimuth_deg, apogee_km, range_km, m)
        m = get_missile(fit.missile)
        scale, theta, az_cmd = fit.scale, math.radians(fit.theta_end_deg), fit.azimuth_cmd_deg
    elif burnout is not None:
        if m is None:
            raise TrilinkError("an explicit burnout needs a missile")
        scale, theta = _fit_burnout(site_lat_deg, site_lon_deg, azimuth_deg, m, burnout)
        az_cmd = azimuth_deg
    else:
        if m is None:
            raise TrilinkError("give a missile, or an apogee and/or a range")
        scale, az_cmd = 1.0, azimuth_deg
        # A missile flies close to minimum energy; an SLV the pitch that maximises its perigee.
        theta = (
            _orbit_pitch(site_lat_deg, site_lon_deg, azimuth_deg, m)
            if (m.nominal_class == "SLV")
            else math.radians(40.0)
        )
    t_max = max_time_s if max_time_s is not None else _T_MAX_BALLISTIC
    if not (math.isfinite(t_max) and t_max > 0):
        raise TrilinkError("max_time_s must be positive")
    r0, v0, normal = launch_state(
        np.array([site_lat_deg]), np.array([site_lon_deg]), np.array([az_cmd])
    )
    prog = BoostProgram.build([m], np.array([scale]), np.array([theta]), normal)
    rv = propagate(r0, v0, t_max, prog)[0]
    burn_end = float(prog.burnout[0])
    trajectories = [
        _to_trajectory(
            f"{object_id}-RV",
            rv,
            0.0,
            launch_time,
            burn_end,
            dt,
            "slv" if m.nominal_class == "SLV" else "missile",
            m.name,
        )
    ]
    if with_boosters:
        trajectories += _fly_stages(object_id, m, prog, rv, launch_time, t_max, dt)
    pos, _ = eci_to_ecef(rv.r, rv.v, rv.t)
    la, lo, al = ecef_to_geodetic(pos)
    p_bo, v_bo, _ = hermite(rv.t, rv.r, rv.v, np.array([burn_end]))
    pe_bo, ve_bo = eci_to_ecef(p_bo, v_bo, np.array([burn_end]))
    _, _, alt_bo = ecef_to_geodetic(pe_bo)
    up = pe_bo[0] / np.linalg.norm(pe_bo[0])
    speed_bo = float(np.linalg.norm(ve_bo[0]))
    gamma_bo = math.degrees(math.asin(float(np.dot(ve_bo[0], up)) / speed_bo))
    orbital = not rv.impacted and _perigee_alt_km(rv.r[-1], rv.v[-1]) > 100.0
    if rv.impacted:
        imp_lat, imp_lon = float(np.degrees(la[-1])), float(np.degrees(lo[-1]))
        _, _, dist = geodesic_inverse(site_lat_deg, site_lon_deg, imp_lat, imp_lon)
        rng_km = float(dist) / 1e3
        flight_time = float(rv.t[-1])
    else:
        imp_lat = imp_lon = math.nan
        _, _, dist = geodesic_inverse(
            site_lat_deg, site_lon_deg, np.degrees(la[-1]), np.degrees(lo[-1])
        )
        rng_km = float(dist) / 1e3
        flight_time = math.nan
    r_bo = float(np.linalg.norm(pe_bo[0]))
    eq_range = equivalent_range_km(speed_bo, r_bo)
    # Lofted tests fly short: the class follows the range the same burnout energy would reach.
    cls = (
        "SLV"
        if (orbital or m.nominal_class == "SLV")
        else classify_range(max(rng_km, eq_range if math.isfinite(eq_range) else rng_km))
    )
    return FlightPlan(
        trajectories=trajectories,
        missile=m.name,
        launch_lat=site_lat_deg,
        launch_lon=site_lon_deg,
        launch_time=launch_time,
        azimuth_deg=azimuth_deg,
        apogee_km=float(al.max()) / 1e3,
        range_km=rng_km,
        flight_time_s=flight_time,
        burnout_time_s=burn_end,
        burnout_altitude_km=float(alt_bo[0]) / 1e3,
        burnout_speed_mps=speed_bo,
        burnout_gamma_deg=gamma_bo,
        impact_lat=imp_lat,
        impact_lon=imp_lon,
        orbital=orbital,
        missile_class=cls,
        fit=fit,
        extra={"equivalent_range_km": eq_range},
    )


def fly_missiles(
    site_lat_deg: Array,
    site_lon_deg: Array,
    azimuth_deg: Array,
    launch_time: Array,
    missiles: list[str],
    object_ids: list[str],
    *,
    scale: Array | None = None,
    dt: float = 1.0,
    with_boosters: bool = True,
) -> list[tuple[list[Trajectory], float]]:
    """Many ballistic flights in one batched propagation (plus one for their spent stages).

    Each flight is what ``plan_flight(lat, lon, az, t, missile=name, object_id=id)`` flies for a
    ballistic missile (40° final pitch), with ``scale`` the propellant load as a fraction of the
    catalogue's (default 1: full load; burn times scale with it, as in :func:`fit_boost`); the
    propagator's steps are chosen per object, so a flight does not depend on its batch. Returns
    per flight (trajectories: the re-entry vehicle first, then the spent stages; burnout time
    after launch [s]). Why: the
    calibration study flies thousands of launches, and per-step Python overhead dominates a
    batch of one.
    """
    n = len(missiles)
    ms = [get_missile(name) for name in missiles]
    if any(m.nominal_class == "SLV" for m in ms):
        raise TrilinkError("fly_missiles flies ballistic missiles only; use plan_flight for SLVs")
    lat = np.asarray(site_lat_deg, dtype=float)
    lon = np.asarray(site_lon_deg, dtype=float)
    az = np.asarray(azimuth_deg, dtype=float)
    t0 = np.asarray(launch_time, dtype=float)
    k = np.ones(n) if scale is None else np.asarray(scale, dtype=float)
    shapes = {a.shape for a in (lat, lon, az, t0, k)}
    if shapes != {(n,)} or len(object_ids) != n:
        raise TrilinkError("fly_missiles needs one site, azimuth, time, scale and id per missile")
    if not all(np.all(np.isfinite(a)) for a in (lat, lon, az, t0, k)):
        raise TrilinkError("fly_missiles: launch parameters must be finite")
    if np.any(k <= 0.0) or np.any(k > 2.0):
        raise TrilinkError("fly_missiles: propellant scale must lie in (0, 2]")
    if n == 0:
        return []
    r0, v0, normal = launch_state(lat, lon, az)
    prog = BoostProgram.build(ms, k, np.full(n, math.radians(40.0)), normal)
    rvs = propagate(r0, v0, _T_MAX_BALLISTIC, prog)
    out: list[tuple[list[Trajectory], float]] = []
    for i, (m, rv) in enumerate(zip(ms, rvs, strict=True)):
        burn_end = float(prog.burnout[i])
        traj = _to_trajectory(
            f"{object_ids[i]}-RV", rv, 0.0, float(t0[i]), burn_end, dt, "missile", m.name
        )
        out.append(([traj], burn_end))
    if not with_boosters:
        return out
    # Spent stages of every flight in one batch (as _fly_stages does for one flight).
    owner: list[int] = []
    sep: list[float] = []
    for i, (m, rv) in enumerate(zip(ms, rvs, strict=True)):
        for t in prog.t_stage_end[i, : len(m.stages)]:
            if float(t) < rv.t[-1]:
                owner.append(i)
                sep.append(float(t))
    if not sep:
        return out
    p = np.zeros((len(sep), 3))
    v = np.zeros((len(sep), 3))
    for j, (i, ts) in enumerate(zip(owner, sep, strict=True)):
        pj, vj, _ = hermite(rvs[i].t, rvs[i].r, rvs[i].v, np.array([ts]))
        p[j], v[j] = pj[0], vj[0]
    v = v - _SEPARATION_DV * v / np.linalg.norm(v, axis=1, keepdims=True)
    horizon = max(1.0, _T_MAX_BALLISTIC - min(sep))
    flights = propagate(p, v, horizon, None, np.full(len(sep), _STAGE_BETA))
    count = [0] * n
    for i, ts, f in zip(owner, sep, flights, strict=True):
        count[i] += 1
        out[i][0].append(
            _to_trajectory(
                f"{object_ids[i]}-B{count[i]}",
                f,
                ts,
                float(t0[i]),
                -1.0,
                dt,
                "booster",
                ms[i].name,
            )
        )
    return out


def equivalent_range_km(speed_mps: float, radius_m: float) -> float:
    """Minimum-energy ground range reachable with this burnout speed at this radius (vacuum).

    With ν = v² r / μ (< 1 for a sub-orbital shot) the best range angle ψ obeys
    sin(ψ/2) = ν / (2 - ν); ψ times the Earth's radius is the range. Orbital speed → ``inf``.
    """
    nu = speed_mps**2 * radius_m / GM_EARTH
    if nu >= 1.0:
        return math.inf
    return 2.0 * math.asin(nu / (2.0 - nu)) * R_EARTH_MEAN / 1e3


def min_energy_apogee_km(range_km: float) -> float:
    """Apogee [km] of the minimum-energy vacuum arc from the surface over ``range_km``.

    The inverse of :func:`equivalent_range_km` at the surface: the range angle ψ needs
    ν = v² R / μ = 2 s / (1 + s) with s = sin(ψ/2), flown at the flight-path angle
    γ = π/4 − ψ/4; the apogee is that arc's apoapsis. About a quarter of the range for short
    ranges (1,000 km: 240 km; 10,000 km: 1,320 km).
    """
    if not (math.isfinite(range_km) and 0.0 < range_km < 20000.0):
        raise TrilinkError(f"range must be a positive number of km below 20,000, got {range_km}")
    re = R_EARTH_MEAN
    psi = range_km * 1e3 / re
    s = math.sin(psi / 2.0)
    nu = 2.0 * s / (1.0 + s)
    gamma = math.pi / 4.0 - psi / 4.0
    a = re / (2.0 - nu)  # vis-viva: v² = μ (2/R − 1/a)
    p = re * nu * math.cos(gamma) ** 2  # semi-latus rectum h²/μ, h = R v cos γ
    e = math.sqrt(max(0.0, 1.0 - p / a))
    return (a * (1.0 + e) - re) / 1e3


def _range_for_apogee(lat: float, lon: float, az: float, m: Missile, apogee_km: float) -> float:
    """Range [km] the missile's full catalogue load reaches when pitched to reach ``apogee_km``.

    Why full load: a published apogee without a range is usually a lofted test, and the
    catalogue load is the missile's one known energy. Flights at final pitch −10…86° are flown
    in one batch (flights that circle the globe are dropped, as in :func:`fit_boost`); apogee
    grows with the pitch, so the range is interpolated between the two flights whose apogees
    bracket the target (the most lofted such pair)."""
    if not (math.isfinite(apogee_km) and 0.0 < apogee_km <= 20000.0):
        raise TrilinkError(f"apogee must be a positive number of km, got {apogee_km}")
    thetas = np.radians(np.linspace(-10.0, 86.0, 25))
    n = len(thetas)
    runs = _fly_batch(lat, lon, [m] * n, np.ones(n), thetas, np.full(n, az))
    ok = [
        f.impacted and f.t[-1] <= 1.3 * _kepler_time_s(apo, rng) + 1.3 * m.burn_time_s + 120.0
        for f, apo, rng, _ in runs
    ]
    for i in range(n - 2, -1, -1):
        (_, a0, r0, _), (_, a1, r1, _) = runs[i], runs[i + 1]
        if ok[i] and ok[i + 1] and min(a0, a1) <= apogee_km <= max(a0, a1):
            w = 0.0 if a1 == a0 else (apogee_km - a0) / (a1 - a0)
            return r0 + w * (r1 - r0)
    reach = [apo for (_, apo, _, _), good in zip(runs, ok, strict=True) if good]
    span = f"{min(reach):.0f}–{max(reach):.0f} km" if reach else "none"
    raise TrilinkError(
        f"apogee {apogee_km:g} km is out of reach of {m.name} on its catalogue load "
        f"(apogees {span}); give range_km too"
    )


def _orbit_pitch(lat: float, lon: float, az: float, m: Missile) -> float:
    """Final pitch angle [rad] that puts a launcher on the orbit with the highest perigee."""
    thetas = np.radians(np.linspace(-20.0, 10.0, 16))
    n = len(thetas)
    r0, v0, normal = launch_state(np.full(n, lat), np.full(n, lon), np.full(n, az))
    prog = BoostProgram.build([m] * n, np.ones(n), thetas, normal)
    flights = propagate(r0, v0, float(prog.burnout[0]) + 60.0, prog)
    perigees = [-math.inf if f.impacted else _perigee_alt_km(f.r[-1], f.v[-1]) for f in flights]
    return float(thetas[int(np.argmax(perigees))])


def _perigee_alt_km(r: Array, v: Array) -> float:
    mu = GM_EARTH
    rn = float(np.linalg.norm(r))
    energy = float(np.dot(v, v)) / 2 - mu / rn
    if energy >= 0:
        return math.inf
    a = -mu / (2 * energy)
    h = np.cross(r, v)
    e = math.sqrt(max(0.0, 1 + 2 * energy * float(np.dot(h, h)) / mu**2))
    return (a * (1 - e) - R_EARTH_MEAN) / 1e3


def _fly_stages(
    object_id: str,
    m: Missile,
    prog: BoostProgram,
    rv: FlightSamples,
    launch_time: float,
    t_max: float,
    dt: float,
) -> list[Trajectory]:
    """Spent stages: released at each stage burnout, falling back with a tumbling body's β."""
    sep_times = [float(t) for t in prog.t_stage_end[0, : len(m.stages)]]
    sep_times = [t for t in sep_times if t < rv.t[-1]]
    if not sep_times:
        return []
    p, v, _ = hermite(rv.t, rv.r, rv.v, np.array(sep_times))
    v = v - _SEPARATION_DV * v / np.linalg.norm(v, axis=1, keepdims=True)
    horizon = max(1.0, t_max - min(sep_times))
    flights = propagate(p, v, horizon, None, np.full(len(sep_times), _STAGE_BETA))
    return [
        _to_trajectory(f"{object_id}-B{k + 1}", f, ts, launch_time, -1.0, dt, "booster", m.name)
        for k, (f, ts) in enumerate(zip(flights, sep_times, strict=True))
    ]


def _fit_burnout(
    lat: float, lon: float, az: float, m: Missile, burnout: tuple[float, float, float]
) -> tuple[float, float]:
    """(scale, θ_end) whose burnout speed and flight-path angle match ``burnout``."""
    t_bo, speed, gamma = burnout
    if not all(math.isfinite(x) for x in burnout) or t_bo <= 0 or speed <= 0:
        raise TrilinkError("burnout needs a positive time, a positive speed and a finite angle")
    scale = t_bo / m.burn_time_s
    thetas = np.radians(np.linspace(2, 88, 44))
    n = len(thetas)
    r0, v0, normal = launch_state(np.full(n, lat), np.full(n, lon), np.full(n, az))
    prog = BoostProgram.build([m] * n, np.full(n, scale), thetas, normal)
    flights = propagate(r0, v0, t_bo + 1.0, prog)
    err = []
    for f in flights:
        p, vv, _ = hermite(f.t, f.r, f.v, np.array([t_bo]))
        pe, ve = eci_to_ecef(p, vv, np.array([t_bo]))
        up = pe[0] / np.linalg.norm(pe[0])
        s = float(np.linalg.norm(ve[0]))
        g = math.degrees(math.asin(float(np.dot(ve[0], up)) / s))
        err.append(abs(g - gamma))
    return scale, float(thetas[int(np.argmin(err))])


def impact_point_from(lat: float, lon: float, az: float, range_km: float) -> tuple[float, float]:
    """Point at ``range_km`` along ``az`` from (lat, lon) — for summaries and checks."""
    la, lo = geodesic_direct(lat, lon, az, range_km * 1e3)
    return float(la), float(lo)
