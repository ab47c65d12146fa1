"""Warning areas and maritime zones (``trilink.geo.areas``) and the ``trilink areas`` CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from trilink import TrilinkError
from trilink.cli import main
from trilink.geo.areas import AreaIndex, ImpactOdds, Location, UnknownArea


@pytest.fixture(scope="module")
def index() -> AreaIndex:
    return AreaIndex.default()


CITIES = [
    ("Tokyo", 35.6812, 139.7671, "JPN", "JP-13"),
    ("Sapporo", 43.0621, 141.3544, "JPN", "JP-01"),
    ("Naha", 26.2124, 127.6809, "JPN", "JP-47"),
    ("Seoul", 37.5665, 126.9780, "KOR", "KR-11"),
    ("Chuncheon", 37.8813, 127.7298, "KOR", "KR-51"),
    ("Jeonju", 35.8242, 127.1480, "KOR", "KR-52"),
    ("Jeju city", 33.4996, 126.5312, "KOR", "KR-49"),
    ("Daejeon", 36.3504, 127.3845, "KOR", "KR-30"),
    ("Sejong", 36.4801, 127.2890, "KOR", "KR-50"),
    ("Hagatna, Guam", 13.4745, 144.7504, "USA", "US-GU"),
    ("Saipan", 15.1850, 145.7467, "USA", "US-MP"),
    ("Honolulu", 21.3069, -157.8583, "USA", "US-HI"),
    ("Anchorage", 61.2181, -149.9003, "USA", "US-AK"),
]


@pytest.mark.parametrize(("name", "lat", "lon", "nation", "code"), CITIES)
def test_cities_are_on_the_land_of_their_area(
    index: AreaIndex, name: str, lat: float, lon: float, nation: str, code: str
) -> None:
    assert index.locate(lat, lon) == Location("land", nation, code), name


def test_pyongyang_is_dprk_land_without_area(index: AreaIndex) -> None:
    assert index.locate(39.0392, 125.7625) == Location("land", "PRK", None)


@pytest.mark.parametrize(
    ("lat", "lon", "nation"),
    [(39.9042, 116.4074, "CHN"), (43.1155, 131.8855, "RUS"), (25.0330, 121.5654, "TWN")],
)
def test_other_states_are_nation_level_land(
    index: AreaIndex, lat: float, lon: float, nation: str
) -> None:
    assert index.locate(lat, lon) == Location("land", nation, None)


def test_catalogue(index: AreaIndex) -> None:
    jp = index.areas("JPN")
    assert [a.code for a in jp] == [f"JP-{i:02d}" for i in range(1, 48)]
    kr = {a.code for a in index.areas("KOR")}
    assert kr == {
        "KR-11", "KR-26", "KR-27", "KR-28", "KR-29", "KR-30", "KR-31", "KR-41", "KR-43",
        "KR-44", "KR-46", "KR-47", "KR-48", "KR-49", "KR-50", "KR-51", "KR-52",
    }  # fmt: skip
    assert {a.code for a in index.areas("USA")} == {"US-GU", "US-MP", "US-HI", "US-AK"}
    gangwon = index.area("KR-51")
    assert (gangwon.nation, gangwon.name_en) == ("KOR", "Gangwon")
    assert gangwon.name_ko == "강원특별자치도"
    assert index.area("JP-13").name_ja == "東京都"
    assert all(a.name_en and a.name_ko and a.name_ja for a in index.areas())
    assert len(index.areas()) == 47 + 17 + 4


def test_unknown_area_is_a_key_error_and_a_trilink_error(index: AreaIndex) -> None:
    with pytest.raises(UnknownArea):
        index.area("KR-42")  # Gangwon's code before 2023
    with pytest.raises(KeyError):
        index.area("JP-48")
    with pytest.raises(TrilinkError):
        index.geometry("XX-1")


@pytest.mark.parametrize(("lat", "lon"), [(float("nan"), 130.0), (91.0, 130.0), (35.0, 181.0)])
def test_bad_points_are_rejected(index: AreaIndex, lat: float, lon: float) -> None:
    with pytest.raises(ValueError):
        index.locate(lat, lon)
    with pytest.raises(TrilinkError):
        index.locate_many(np.array([35.0, lat]), np.array([139.0, lon]))


def test_five_nm_off_the_japanese_coast_is_japanese_territorial_sea(index: AreaIndex) -> None:
    # Choshi (Inubo-saki, 35.708 N 140.869 E) faces the open Pacific; 5 nm due east.
    lon = 140.869 + 5 * 1852.0 / (111_320.0 * np.cos(np.radians(35.708)))
    where = index.locate(35.708, float(lon))
    # `areas at` names an area only on land; the warning lookup gives the adjacent one
    assert (where.zone, where.nation, where.area) == ("territorial_sea", "JPN", None)
    assert index.warn_area_many(np.array([35.708]), np.array([lon]))[0] == "JP-12"


# Public DPRK impact points. Positions are approximate reconstructions from the Japanese
# Ministry of Defense's wording (bearing and distance from a named point), not official
# coordinates; each is kept well clear of the limits.
INSIDE_JAPAN_EEZ = [
    # 2017-11-29 Hwasong-15: "about 250 km west of Aomori Prefecture, inside Japan's EEZ".
    ("2017-11-29 Hwasong-15", 40.8, 137.7),
    # 2022-03-24 ICBM: "about 150 km west of the Oshima Peninsula (Hokkaido), inside the EEZ".
    ("2022-03-24 ICBM", 41.5, 138.2),
    # 2022-11-18 Hwasong-17: "about 200 km west of Oshima-Oshima (Hokkaido), inside the EEZ".
    ("2022-11-18 Hwasong-17", 41.5, 137.0),
]
OUTSIDE_JAPAN_EEZ = [
    # 2023-07-12 Hwasong-18: "about 250 km west of Okushiri Island, outside Japan's EEZ".
    ("2023-07-12 Hwasong-18", 42.15, 136.4),
    # 2023-12-18 Hwasong-18: "about 250 km west of Okushiri Island, outside the EEZ".
    ("2023-12-18 Hwasong-18", 42.2, 136.3),
]


@pytest.mark.parametrize(("event", "lat", "lon"), INSIDE_JAPAN_EEZ)
def test_impacts_stated_inside_japans_eez(
    index: AreaIndex, event: str, lat: float, lon: float
) -> None:
    assert index.locate(lat, lon) == Location("eez", "JPN", None), event


@pytest.mark.parametrize(("event", "lat", "lon"), OUTSIDE_JAPAN_EEZ)
def test_impacts_stated_outside_japans_eez(
    index: AreaIndex, event: str, lat: float, lon: float
) -> None:
    where = index.locate(lat, lon)
    assert where.zone in ("eez", "high_seas") and where.nation != "JPN", event


def test_median_lines(index: AreaIndex) -> None:
    # Sea of Japan / East Sea, 37.0 N 130.6 E: ~120 km off Uljin, ~250 km off the Oki islands.
    assert index.locate(37.0, 130.6) == Location("eez", "KOR", None)
    # Same latitude, near the Oki islands: Japan's side.
    assert index.locate(36.8, 132.6) == Location("eez", "JPN", None)
    # East China Sea west of the Japan-China median line: not Japan's.
    where = index.locate(29.0, 125.0)
    assert where.zone == "eez" and where.nation == "CHN"
    # Korea Strait midway between Tsushima and Busan's coast is split between the two.
    assert index.locate(34.9, 129.3).nation == "KOR"
    assert index.locate(34.5, 129.6).nation == "JPN"


def test_remote_islands_give_japan_eez(index: AreaIndex) -> None:
    assert index.locate(21.5, 136.1) == Location("eez", "JPN", None)  # Okinotorishima
    assert index.locate(24.3, 155.5) == Location("eez", "JPN", None)  # Minamitorishima
    assert index.locate(26.5, 142.5) == Location("eez", "JPN", None)  # Ogasawara


def test_far_pacific_is_high_seas(index: AreaIndex) -> None:
    assert index.locate(35.0, 170.0) == Location("high_seas", None, None)


def test_points_of_view_on_disputed_islands(index: AreaIndex) -> None:
    assert index.locate(37.2413, 131.8648) == Location("land", "KOR", "KR-47")  # Dokdo
    assert index.locate(25.7460, 123.4730) == Location("land", "JPN", "JP-47")  # Uotsuri
    assert index.locate(44.0, 145.8).nation == "RUS"  # Kunashiri
    # 2019-10-02 Pukguksong-3, "about 350 km north of Dogo (Oki), inside Japan's EEZ" per
    # Japan, which counts Takeshima as a base point. With Dokdo Korean (the administering
    # state) the equidistance partition gives the waters north of Ulleungdo and Dokdo to KOR.
    assert index.locate(39.45, 133.2) == Location("eez", "KOR", None)


def test_antimeridian(index: AreaIndex) -> None:
    zone, nation, _ = index.locate_many(np.array([52.0, 52.0]), np.array([179.9, -179.9]))
    assert nation.tolist() == ["USA", "USA"]
    assert set(zone.tolist()) <= {"territorial_sea", "eez"}
    adak = index.locate(51.88, -176.65)
    assert adak == Location("land", "USA", "US-AK")


def test_locate_many_matches_locate(index: AreaIndex) -> None:
    rng = np.random.default_rng(1)
    lat = rng.uniform(20.0, 50.0, 300)
    lon = rng.uniform(120.0, 150.0, 300)
    zone, nation, area = index.locate_many(lat, lon)
    assert zone.shape == nation.shape == area.shape == (300,)
    for i in range(0, 300, 37):
        one = index.locate(float(lat[i]), float(lon[i]))
        land_area = area[i] if zone[i] == "land" else ""
        assert (one.zone, one.nation or "", one.area or "") == (zone[i], nation[i], land_area)
    assert np.all((zone == "high_seas") == (nation == ""))


def test_warn_area_many(index: AreaIndex) -> None:
    lat = np.array([35.6812, 35.708, 39.0392, 35.0, 37.0])
    lon = np.array([139.7671, 141.0, 125.7625, 170.0, 130.6])
    assert index.warn_area_many(lat, lon).tolist() == ["JP-13", "JP-12", "", "", ""]


def test_impact_odds_tiny_ellipse_in_tokyo(index: AreaIndex) -> None:
    odds = index.impact_odds(35.6812, 139.7671, np.diag([100.0**2, 100.0**2]))
    assert isinstance(odds, ImpactOdds)
    assert odds.areas["JP-13"] > 0.99
    assert odds.zones[("land", "JPN")] > 0.99


def test_impact_odds_sum_and_determinism(index: AreaIndex) -> None:
    cov = np.array([[60e3**2, 20e3**2], [20e3**2, 40e3**2]])
    odds = index.impact_odds(34.0, 131.0, cov, samples=3000, seed=7)
    assert sum(odds.areas.values()) <= 1.0 + 1e-9
    assert sum(odds.zones.values()) == pytest.approx(1.0)
    assert odds == index.impact_odds(34.0, 131.0, cov, samples=3000, seed=7)
    # Inside central Nagano (a landlocked prefecture) a 2 km ellipse stays in one area.
    inland = index.impact_odds(36.2, 138.0, np.diag([2e3**2, 1e3**2]))
    assert inland.areas == {"JP-20": 1.0}
    assert inland.zones == {("land", "JPN"): 1.0}
    with pytest.raises(TrilinkError):
        index.impact_odds(34.0, 131.0, np.eye(3))
    with pytest.raises(TrilinkError):
        index.impact_odds(34.0, 131.0, np.array([[1.0, 2.0], [2.0, 1.0]]))  # not PSD


def test_corridor_over_northern_japan(index: AreaIndex) -> None:
    # A track from the Sea of Japan across the Tsugaru Strait into the Pacific.
    lon = np.linspace(137.0, 145.0, 81)
    lat = np.full_like(lon, 41.5)
    hits = index.corridor_areas(lat, lon, 20_000.0)
    assert {"JP-01", "JP-02"} <= set(hits)
    assert all(0 <= i < lon.size for i in hits.values())
    assert hits["JP-01"] <= hits["JP-02"] or hits["JP-01"] < 40
    assert "JP-13" not in hits
    narrow = index.corridor_areas(lat, lon, 0.0)
    assert set(narrow) <= set(hits)


def test_geometries(index: AreaIndex) -> None:
    tokyo = index.geometry("JP-13")
    assert tokyo.contains(shapely.Point(139.7671, 35.6812))
    ts = index.zone_geometry("JPN", "territorial_sea", cell_deg=0.1)
    assert ts.intersects(shapely.Point(141.0, 35.708).buffer(0.1))
    with pytest.raises(TrilinkError):
        index.zone_geometry("JPN", "contiguous")


def test_land_geometry_of_states_without_warning_areas(index: AreaIndex) -> None:
    prk = index.land_geometry("PRK")
    assert prk.contains(shapely.Point(125.7625, 39.0392))  # Pyongyang
    assert not prk.contains(shapely.Point(126.978, 37.5665))  # Seoul
    assert index.land_geometry("RUS").contains(shapely.Point(131.8869, 43.1155))  # Vladivostok
    assert index.land_geometry("JPN").contains(shapely.Point(139.7671, 35.6812))
    with pytest.raises(TrilinkError):
        index.land_geometry("XXX")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(["areas", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_at_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "at", "43.0621", "141.3544", "--json")
    assert code == 0
    assert json.loads(out) == {"zone": "land", "nation": "JPN", "area": "JP-01"}
    code, out, _ = run_cli(capsys, "at", "35", "170", "--json")
    assert json.loads(out) == {"zone": "high_seas", "nation": None, "area": None}


def test_cli_negative_longitude(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "at", "21.3069", "-157.8583", "--json")
    assert code == 0
    assert json.loads(out) == {"zone": "land", "nation": "USA", "area": "US-HI"}
    code, out, _ = run_cli(capsys, "at", "21.3069", "-157.8583")
    assert code == 0 and "US-HI" in out and "Hawaii" in out


def test_cli_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "list", "--nation", "KOR", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 17
    assert {"code", "nation", "name_en", "name_ko", "name_ja"} == set(rows[0])
    code, out, _ = run_cli(capsys, "list")
    assert code == 0 and "JP-47" in out and "US-GU" in out


@pytest.mark.parametrize(
    "args",
    [
        ("at", "nan", "130"),
        ("at", "91", "130"),
        ("at", "north", "130"),
        ("at", "35"),
        ("list", "--nation", "XYZ"),
    ],
)
def test_cli_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trilink: error: ")
