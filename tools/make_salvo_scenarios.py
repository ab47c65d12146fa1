"""One-off: write the salvo scenarios of the library (deterministic; re-run to regenerate).

    python tools/make_salvo_scenarios.py src/trilink/scenarios/library

``salvo-srbm-20`` is shaped in the manner of 2022-11-02 (some 25 missiles of several types from
sites on both coasts in one day; one SRBM fell south of the NLL off Sokcho), compressed into
twenty minutes. ``salvo-100`` is purely synthetic: 100 launches of mixed classes in ten minutes,
given in volleys (one fit per volley; see scenarios/run.py) as explicit burnout states.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

SENSORS = """
[sensors]
KOR = ["KOR-GP-1", "KOR-GP-2"]
USA = ["USA-TPY2-SEONGJU", "USA-TPY2-SHARIKI", "USA-TPY2-KYOGAMISAKI", "USA-IR-GEO-1"]
JPN = [
  "JPN-FPS5-SHIMOKOSHIKI", "JPN-FPS5-SADO", "JPN-FPS5-YOZADAKE", "JPN-FPS5-OMINATO",
  "JPN-FPS3-SEFURI", "JPN-FPS3-KYOGAMISAKI", "JPN-FPS3-KAMO",
]

# Aegis ships: notional patrol positions for this scenario (not reported positions).
[[platforms]]
id = "KOR-DDG-1"
nation = "KOR"
type = "AN/SPY-1D (Aegis)"
name = "ROKN Aegis destroyer (notional position, East Sea)"
lat_deg = 37.6
lon_deg = 130.2

[[platforms]]
id = "KOR-DDG-2"
nation = "KOR"
type = "AN/SPY-1D (Aegis)"
name = "ROKN Aegis destroyer (notional position, Yellow Sea)"
lat_deg = 36.5
lon_deg = 125.2

[[platforms]]
id = "USA-DDG-1"
nation = "USA"
type = "AN/SPY-1D (Aegis)"
name = "USN Aegis destroyer (notional position, Sea of Japan)"
lat_deg = 38.5
lon_deg = 133.0

[[platforms]]
id = "JPN-DDG-1"
nation = "JPN"
type = "AN/SPY-1D (Aegis)"
name = "JMSDF Aegis destroyer (notional position, Sea of Japan)"
lat_deg = 39.5
lon_deg = 136.0
"""

# (launch area, missile, azimuth deg, apogee km, range km, launches): volleys, as on the day
# batteries fired several rounds of one type from one area.
SRBM_VOLLEYS = [
    ("Wonsan", "KN-23", 129.5, 50.0, 200.0, 1),  # fell south of the NLL, off Sokcho
    ("Jongju", "KN-25", 215.0, 60.0, 200.0, 4),
    ("Pihyon", "KN-23", 225.0, 50.0, 180.0, 3),
    ("Jangyon", "KN-25", 230.0, 40.0, 150.0, 3),
    ("Tongchon", "KN-23", 85.0, 60.0, 350.0, 4),
    ("Hamhung", "Scud-ER", 90.0, 150.0, 550.0, 3),
    ("Wonsan", "KN-25", 75.0, 70.0, 300.0, 3),
]

# (launch area, missile, azimuth deg, burnout flight-path angle deg, launches)
SALVO100_VOLLEYS = [
    ("Pihyon", "KN-25", 205.0, 45.0, 9),
    ("Jongju", "KN-23", 210.0, 55.0, 9),
    ("Jangyon", "KN-25", 225.0, 45.0, 9),
    ("Wonsan", "KN-23", 95.0, 38.0, 9),
    ("Tongchon", "Scud-ER", 80.0, 40.0, 9),
    ("Hamhung", "KN-25", 80.0, 42.0, 9),
    ("Sinpo", "KN-23", 70.0, 40.0, 8),
    ("Kusong", "Scud-ER", 90.0, 40.0, 8),
    ("Sukchon", "Nodong", 90.0, 35.0, 10),
    ("Hwangju", "Nodong", 80.0, 35.0, 10),
    ("Kaechon", "Hwasong-12", 80.0, 30.0, 10),
]


def _f(x: float, nd: int = 1) -> str:
    return f"{round(float(x), nd)}"


def _header(
    about: list[str],
    *,
    name: str,
    title: str,
    description: str,
    epoch: str,
    seed: int,
    truth_interval_s: float,
    sources: list[str],
) -> list[str]:
    """A scenario file's opening lines: ``about`` as comments, then its top-level keys
    (``sources`` as TOML lines)."""
    return [
        *(f"# {line}" for line in about),
        "# Written by tools/make_salvo_scenarios.py.",
        f'name = "{name}"',
        f'title = "{title}"',
        f'description = "{description}"',
        f'epoch = "{epoch}"',
        f"seed = {seed}",
        "duration_s = 1800.0",
        f"truth_interval_s = {truth_interval_s}",
        *sources,
    ]


def _launch(
    launch_id: str, site: str, missile: str, time_s: float, azimuth_deg: float
) -> list[str]:
    """A ``[[launches]]`` table's keys up to its azimuth (the caller adds how it is shaped)."""
    return [
        "",
        "[[launches]]",
        f'id = "{launch_id}"',
        f'site = "{site}"',
        f'missile = "{missile}"',
        f"time_s = {_f(time_s)}",
        f"azimuth_deg = {_f(azimuth_deg)}",
    ]


def srbm20() -> str:
    rng = np.random.default_rng(20221102)
    about = [
        "Salvo of SRBMs in the manner of 2022-11-02 (about 25 missiles of several types that",
        "day, from sites on both coasts; one SRBM from the Wonsan area fell ~26 km south of the",
        "NLL,",
        "~57 km east of Sokcho). COMPRESSED and APPROXIMATE: launch areas, types, ranges and",
        "apogees are plausible public-class figures in volleys, not the day's actual list.",
        "Sources: ROK JCS and Japan MOD statements of 2022-11-02/03.",
    ]
    sources = [
        "sources = [",
        '  "ROK JCS / Japan MOD statements, 2022-11-02 (some 25 missiles; one SRBM south of NLL)",',
        "]",
    ]
    out = _header(
        about,
        name="salvo-srbm-20",
        title="SRBM salvo from both coasts (in the manner of 2022-11-02)",
        description="21 SRBMs in 7 volleys over 20 minutes, east and west; one crosses the NLL.",
        epoch="2022-11-01T23:51:00Z",
        seed=20221102,
        truth_interval_s=1.0,
        sources=sources,
    )
    k = 0
    for v, (site, missile, az, apo, rng_km, n) in enumerate(SRBM_VOLLEYS):
        t0 = 170.0 * v + rng.uniform(0, 30)
        for j in range(n):
            k += 1
            out += _launch(f"S{k:02d}", site, missile, t0 + 20.0 * j + rng.uniform(0, 8), az)
            out += [f"apogee_km = {_f(apo)}", f"range_km = {_f(rng_km)}"]
            if k == 1:
                out.append('note = "the one that fell south of the NLL"')
    return "\n".join(out) + "\n" + SENSORS


def salvo100() -> str:
    from trilink.physics import MISSILES, plan_flight
    from trilink.scenarios.model import launch_sites

    rng = np.random.default_rng(100)
    about = [
        "SYNTHETIC salvo of 100 launches in ten minutes (no historical counterpart): 70 SRBMs,",
        "20 MRBM-type and 10 IRBM-type missiles in 11 volleys from 11 launch areas, given as",
        "explicit burnout states (burnout at the missile's full burn time; speed as the physics",
        "reaches it, recorded for reference). A load test for trackers and the network.",
    ]
    out = _header(
        about,
        name="salvo-100",
        title="Synthetic 100-missile salvo",
        description="100 launches of mixed classes in 11 volleys within 10 minutes.",
        epoch="2025-01-01T00:00:00Z",
        seed=100,
        truth_interval_s=2.0,
        sources=[
            'sources = ["synthetic; magnitudes from public descriptions of the missile classes"]'
        ],
    )
    sites = launch_sites()
    k = 0
    for site, missile, az, gamma, n in SALVO100_VOLLEYS:
        t_bo = MISSILES[missile].burn_time_s
        s = sites[site]
        plan = plan_flight(
            s.lat_deg, s.lon_deg, az, 0.0, missile=missile, burnout=(t_bo, 1.0, gamma)
        )
        print(
            f"{site:9s} {missile:10s} az {az:5.1f}: apogee {plan.apogee_km:6.0f} km, range "
            f"{plan.range_km:6.0f} km, impact {plan.impact_lat:.2f},{plan.impact_lon:.2f} "
            f"{plan.missile_class}"
        )
        t0 = rng.uniform(0, 450)
        for j in range(n):
            k += 1
            out += _launch(f"M{k:03d}", site, missile, t0 + 15.0 * j + rng.uniform(0, 5), az)
            out.append(
                f"burnout = {{ time_s = {_f(t_bo)}, speed_mps = {_f(plan.burnout_speed_mps, 0)}, "
                f"flight_path_angle_deg = {_f(gamma)} }}"
            )
    assert k == 100
    return "\n".join(out) + "\n" + SENSORS


def main(dst: str) -> None:
    d = Path(dst)
    (d / "salvo-srbm-20.toml").write_text(srbm20(), encoding="utf-8")
    (d / "salvo-100.toml").write_text(salvo100(), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
