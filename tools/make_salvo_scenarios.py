"""One-off: write the salvo scenarios of the library (deterministic; re-run to regenerate).

    python tools/make_salvo_scenarios.py src/trilink/scenarios/library

``salvo-srbm-20`` is shaped in the manner of 2022-11-02 (some 25 missiles of several types from
sites on both coasts in one day; one SRBM fell south of the NLL off Sokcho), compressed into
twenty minutes. ``salvo-100`` is purely synthetic: 100 launches of mixed classes in ten minutes,
given as explicit burnout states so that no fitting is needed (fast to fly).
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

WEST = ["Pihyon", "Jongju", "Jangyon", "Kusong"]
EAST = ["Wonsan", "Tongchon", "Hamhung", "Sinpo"]


def _f(x: float, nd: int = 1) -> str:
    return f"{round(float(x), nd)}"


def srbm20() -> str:
    rng = np.random.default_rng(20221102)
    out = [
        "# Salvo of SRBMs in the manner of 2022-11-02 (about 25 missiles of several types that day,",
        "# from sites on both coasts; one SRBM from the Wonsan area fell ~26 km south of the NLL,",
        "# ~57 km east of Sokcho). COMPRESSED and APPROXIMATE: launch sites, types, ranges and",
        "# apogees are plausible public-class figures, not the day's actual list. Sources: ROK JCS",
        "# and Japan MOD statements of 2022-11-02/03. Written by tools/make_salvo_scenarios.py.",
        'name = "salvo-srbm-20"',
        'title = "SRBM salvo from both coasts (in the manner of 2022-11-02)"',
        'description = "21 SRBMs in 20 minutes from 8 sites, east and west; one crosses the NLL."',
        'epoch = "2022-11-01T23:51:00Z"',
        "seed = 20221102",
        "duration_s = 1800.0",
        "truth_interval_s = 1.0",
        "sources = [",
        '  "ROK JCS / Japan MOD statements, 2022-11-02 (some 25 missiles; one SRBM south of NLL)",',
        "]",
        "",
        "[[launches]]",
        'id = "S01"',
        'site = "Wonsan"',
        'missile = "KN-23"',
        "time_s = 0.0",
        "azimuth_deg = 150.0",
        "apogee_km = 50.0",
        "range_km = 190.0",
        'note = "the one that fell south of the NLL"',
    ]
    kinds = [
        ("KN-23", (250, 450), (45, 80)),
        ("KN-25", (200, 380), (50, 100)),
        ("Scud-ER", (450, 750), (120, 190)),
    ]
    for i in range(2, 22):
        east = i % 2 == 0
        site = (EAST if east else WEST)[int(rng.integers(0, 4))]
        name, (r0, r1), (a0, a1) = kinds[int(rng.integers(0, 3))]
        rng_km = rng.uniform(r0, r1)
        if east:
            az = rng.uniform(65, 110)
        else:
            az = rng.uniform(200, 240)
            rng_km = min(rng_km, rng.uniform(150, 250))  # stay in the Yellow Sea
        apo = min(rng.uniform(a0, a1), 0.45 * rng_km)
        out += [
            "",
            "[[launches]]",
            f'id = "S{i:02d}"',
            f'site = "{site}"',
            f'missile = "{name}"',
            f"time_s = {_f(rng.uniform(0, 1200))}",
            f"azimuth_deg = {_f(az)}",
            f"apogee_km = {_f(apo)}",
            f"range_km = {_f(rng_km)}",
        ]
    return "\n".join(out) + "\n" + SENSORS


def salvo100() -> str:
    rng = np.random.default_rng(100)
    out = [
        "# SYNTHETIC salvo of 100 launches in ten minutes (no historical counterpart): 70 SRBMs,",
        "# 20 MRBMs and 10 IRBMs from 8 launch areas, given as explicit burnout states (time after",
        "# launch, speed, flight-path angle) with public-class magnitudes. A load test for trackers",
        "# and the network. Written by tools/make_salvo_scenarios.py.",
        'name = "salvo-100"',
        'title = "Synthetic 100-missile salvo"',
        'description = "100 launches of mixed classes within 10 minutes; a stress scenario."',
        'epoch = "2025-01-01T00:00:00Z"',
        "seed = 100",
        "duration_s = 1800.0",
        "truth_interval_s = 2.0",
        'sources = ["synthetic; magnitudes from public descriptions of the missile classes"]',
    ]
    sites = WEST + EAST
    for i in range(1, 101):
        if i <= 70:
            name = ["KN-23", "KN-25", "Scud-ER"][i % 3]
            tb, v, g = rng.uniform(55, 80), rng.uniform(1500, 2300), rng.uniform(30, 45)
        elif i <= 90:
            name, tb, v, g = "Nodong", rng.uniform(100, 115), rng.uniform(2800, 3300), 40.0
        else:
            name, tb, v, g = "Hwasong-12", rng.uniform(140, 160), rng.uniform(4300, 4900), 35.0
        site = sites[int(rng.integers(0, len(sites)))]
        west = site in WEST and i <= 70
        az = rng.uniform(195, 225) if west else rng.uniform(60, 120)
        out += [
            "",
            "[[launches]]",
            f'id = "M{i:03d}"',
            f'site = "{site}"',
            f'missile = "{name}"',
            f"time_s = {_f(rng.uniform(0, 600))}",
            f"azimuth_deg = {_f(az)}",
            f"burnout = {{ time_s = {_f(tb)}, speed_mps = {_f(v, 0)}, "
            f"flight_path_angle_deg = {_f(g)} }}",
        ]
    return "\n".join(out) + "\n" + SENSORS


def main(dst: str) -> None:
    d = Path(dst)
    (d / "salvo-srbm-20.toml").write_text(srbm20(), encoding="utf-8")
    (d / "salvo-100.toml").write_text(salvo100(), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
