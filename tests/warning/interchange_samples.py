"""Alerts for the interchange-format tests: one launch over Hokkaido, every stage and status."""

from __future__ import annotations

from shapely.geometry import MultiPolygon, Point, box

from trilink.warning.model import STAGES, Alert, AlertText, AreaThreat, ImpactPoint, Stage, Status

__all__ = [
    "AREA_NAMES",
    "AREA_POLYGONS",
    "LAUNCH_NS",
    "TEXTS",
    "first_alert",
    "sample_alert",
]

LAUNCH_NS = 1_503_953_880_000_000_000  # 2017-08-28T20:58:00Z, 05:58 JST
S = 1_000_000_000

#: Hokkaido-ish: a detailed outline (> 100 points) plus an island, so simplification is exercised.
_MAIN = Point(142.8, 43.4).buffer(1.6, quad_segs=64)
_ISLAND = Point(141.2, 45.2).buffer(0.05)
AREA_POLYGONS = {
    "JP-01": MultiPolygon([_MAIN, _ISLAND]),
    "JP-02": box(139.9, 40.2, 141.7, 41.6),
}
AREA_NAMES: dict[str, str | dict[str, str]] = {
    "JP-01": {"en": "Hokkaido", "ja": "北海道", "ko": "홋카이도"},
    "JP-02": "Aomori",
}

TEXTS = (
    AlertText(
        language="en",
        headline="Missile launched",
        description="A missile appears to have been launched.",
        instruction="Take shelter in a sturdy building or underground.",
    ),
    AlertText(
        language="ja",
        headline="ミサイル発射",
        description="ミサイルが発射されたものとみられます。",
        instruction="頑丈な建物や地下に避難してください。",
    ),
    AlertText(
        language="ko", headline="미사일 발사", description="미사일이 발사된 것으로 보입니다."
    ),
)


def first_alert(status: Status = "actual") -> Alert:
    """The launch message (seq 0)."""
    return Alert(
        alert_id="JPN-L20170829-0",
        nation="JPN",
        launch_id="L20170829",
        seq=0,
        stage="launch",
        status=status,
        issued_ns=LAUNCH_NS + 240 * S + 123_456,
        launch_time_ns=LAUNCH_NS,
        launch_lat_deg=39.03,
        launch_lon_deg=125.75,
        missile_class="IRBM",
        areas=(
            AreaThreat(
                code="JP-01", probability=0.62, kind="overflight", arrival_ns=LAUNCH_NS + 420 * S
            ),
            AreaThreat(code="JP-02", probability=0.18, kind="overflight", arrival_ns=None),
        ),
    )


def sample_alert(stage: Stage, status: Status = "actual") -> Alert:
    """A message of ``stage`` that follows :func:`first_alert` (seq = stage's index)."""
    first = first_alert(status)
    if stage == "launch":
        return first
    seq = STAGES.index(stage)
    impact = None
    if stage in ("update", "shelter", "passed", "impact"):
        impact = ImpactPoint(
            lat_deg=41.2,
            lon_deg=146.5,
            time_ns=LAUNCH_NS + 840 * S,
            major_m=60_000.0,
            minor_m=20_000.0,
            azimuth_deg=75.0,
            zone="high_seas" if stage != "impact" else "land",
            nation=None if stage != "impact" else "JPN",
            area=None if stage != "impact" else "JP-01",
        )
    areas = first.areas if stage not in ("all_clear", "cancel") else ()
    return Alert(
        alert_id=f"JPN-L20170829-{seq}",
        nation="JPN",
        launch_id=first.launch_id,
        seq=seq,
        stage=stage,
        status=status,
        issued_ns=first.issued_ns + seq * 60 * S,
        references=(first.alert_id,),
        areas=areas,
        launch_time_ns=first.launch_time_ns,
        launch_lat_deg=first.launch_lat_deg,
        launch_lon_deg=first.launch_lon_deg,
        missile_class=first.missile_class,
        object_id="T-0001",
        impact=impact,
    )
