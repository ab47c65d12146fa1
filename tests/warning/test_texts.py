"""Alert texts: every stage in every language, times in the reader's zone, exercise marked."""

from __future__ import annotations

import dataclasses
import re

import pytest

from trilink.warning.model import LANGUAGES, STAGES, STATUSES, Alert, AreaThreat, ImpactPoint
from trilink.warning.texts import MESSAGE_IDS, catalogue, message_id, render

from .conftest import AREAS, PYONGYANG, S

# 2023-11-21 22:43 UTC = 07:43 in Tokyo and Seoul, 08:43 in Guam, 12:43 in Honolulu (previous day)
LAUNCH_NS = 1_700_606_580 * S


def alert(stage: str, **kw: object) -> Alert:
    base: dict[str, object] = {
        "alert_id": f"JPN-L1-{stage}",
        "nation": "JPN",
        "launch_id": "L1",
        "seq": 1,
        "stage": stage,
        "status": "actual",
        "issued_ns": LAUNCH_NS + 300 * S,
        "launch_time_ns": LAUNCH_NS,
        "launch_lat_deg": PYONGYANG[0],
        "launch_lon_deg": PYONGYANG[1],
        "missile_class": "IRBM",
    }
    if stage in ("shelter", "update", "passed"):
        base["areas"] = (
            AreaThreat(
                code="JP-01", probability=0.4, kind="overflight", arrival_ns=LAUNCH_NS + 420 * S
            ),
            AreaThreat(
                code="JP-02", probability=0.9, kind="overflight", arrival_ns=LAUNCH_NS + 400 * S
            ),
        )
    if stage == "impact":
        base["impact"] = ImpactPoint(lat_deg=40.8, lon_deg=156.0, time_ns=LAUNCH_NS + 1000 * S)
    base.update(kw)
    return Alert(**base)  # type: ignore[arg-type]


def every_message() -> list[Alert]:
    """One alert per catalogue message (every stage, and the variants)."""
    own_fall = ImpactPoint(
        lat_deg=35.0,
        lon_deg=132.5,
        time_ns=LAUNCH_NS + 600 * S,
        zone="land",
        nation="JPN",
        area="JP-32",
    )
    out = [alert(s) for s in STAGES]
    out.append(alert("update", areas=()))
    out.append(alert("impact", impact=own_fall))
    return out


def test_catalogue_has_every_message_in_every_language() -> None:
    cat = catalogue()
    assert set(MESSAGE_IDS) <= set(cat["msg"])
    assert {message_id(a) for a in every_message()} == set(MESSAGE_IDS)
    for mid in MESSAGE_IDS:
        for part in ("headline", "description", "instruction"):
            assert all(cat["msg"][mid][part][lang] for lang in LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", STATUSES)
def test_every_stage_renders_with_no_placeholder_left(language: str, status: str) -> None:
    for a in every_message():
        text = render(dataclasses.replace(a, status=status), language, "Asia/Tokyo", AREAS)  # type: ignore[arg-type]
        assert text.language == language
        for part in (text.headline, text.description, text.instruction):
            assert part and not re.search(r"[{}]", part), (a.stage, part)


@pytest.mark.parametrize("language", LANGUAGES)
def test_exercise_and_test_are_marked_in_headline_and_description(language: str) -> None:
    marks = {
        "exercise": {"en": "[EXERCISE]", "ja": "【訓練】", "ko": "[훈련]"},
        "test": {"en": "[TEST]", "ja": "【テスト】", "ko": "[시험]"},
    }
    for a in every_message():
        for status, mark in marks.items():
            text = render(dataclasses.replace(a, status=status), language, "Asia/Seoul", AREAS)  # type: ignore[arg-type]
            assert text.headline.startswith(mark[language])
            assert text.description.startswith(mark[language])
        real = render(a, language, "Asia/Seoul", AREAS)  # type: ignore[arg-type]
        for m in ("[EXERCISE]", "【訓練】", "[훈련]", "[TEST]", "【テスト】", "[시험]"):
            assert m not in real.headline and m not in real.description


def test_japanese_follows_j_alert_wording() -> None:
    sh = render(alert("shelter"), "ja", "Asia/Tokyo", AREAS)
    assert sh.headline == "ミサイル発射。ミサイル発射。"
    assert "北朝鮮からミサイルが発射されたものとみられます。" in sh.description
    assert sh.instruction == "建物の中、又は地下に避難して下さい。"
    assert "対象地域：北海道、青森県" in sh.description
    assert "到達予想時刻：07時49分頃" in sh.description  # the earliest arrival, Tokyo time
    passed = render(alert("passed"), "ja", "Asia/Tokyo", AREAS)
    assert passed.headline.startswith("ミサイル通過。")
    out = render(alert("impact"), "ja", "Asia/Tokyo", AREAS)
    assert "日本の排他的経済水域外に落下したものとみられます。" in out.description


def test_korean_follows_emergency_alert_style() -> None:
    kor = alert("launch", nation="KOR")
    text = render(kor, "ko", "Asia/Seoul", AREAS)
    assert text.description == "[행정안전부] 오늘 07시 43분 북한 미사일 발사."
    assert text.instruction.startswith("국민께서는")


def test_times_in_the_readers_zone_and_names_in_the_readers_language() -> None:
    sh = alert("shelter")
    assert "07:43 JST" in render(sh, "en", "Asia/Tokyo", AREAS).description
    assert "08:43 ChST" in render(sh, "en", "Pacific/Guam", AREAS).description
    assert "12:43 HST" in render(sh, "en", "Pacific/Honolulu", AREAS).description
    assert "07시 43분" in render(sh, "ko", "Asia/Seoul", AREAS).description
    assert "Hokkaido, Aomori" in render(sh, "en", "Asia/Tokyo", AREAS).description
    assert "홋카이도, 아오모리현" in render(sh, "ko", "Asia/Seoul", AREAS).description


def test_impact_in_own_zones_names_the_zone_and_area() -> None:
    land = ImpactPoint(
        lat_deg=35.0, lon_deg=132.5, time_ns=LAUNCH_NS, zone="land", nation="JPN", area="JP-32"
    )
    eez = ImpactPoint(lat_deg=40.0, lon_deg=134.5, time_ns=LAUNCH_NS, zone="eez", nation="JPN")
    assert (
        "島根県の陸地"
        in render(alert("impact", impact=land), "ja", "Asia/Tokyo", AREAS).description
    )
    text = render(alert("impact", impact=eez), "en", "Asia/Tokyo", AREAS)
    assert "inside Japan's exclusive economic zone" in text.description
    # another nation's EEZ is, for Japan's public, outside Japan's EEZ
    kor = ImpactPoint(lat_deg=36.0, lon_deg=130.0, time_ns=LAUNCH_NS, zone="eez", nation="KOR")
    assert message_id(alert("impact", impact=kor)) == "impact_outside"


def test_unknown_area_code_falls_back_to_the_code() -> None:
    a = alert("shelter", areas=(AreaThreat(code="JP-99", probability=0.5, kind="impact"),))
    assert "JP-99" in render(a, "en", "Asia/Tokyo", AREAS).description


def test_unknown_language_refused() -> None:
    with pytest.raises(ValueError):
        render(alert("launch"), "fr", "Asia/Tokyo", AREAS)  # type: ignore[arg-type]


def test_launch_time_used_for_launch_issue_time_for_all_clear() -> None:
    clear = render(alert("all_clear"), "en", "Asia/Tokyo", AREAS)
    assert "07:48 JST" in clear.description  # issued 300 s after the launch


@pytest.mark.parametrize(
    ("language", "known", "unknown"),
    [
        ("en", "from North Korea at 07:43 JST.", "from an unknown location a moment ago."),
        ("ko", "오늘 07시 43분 북한 미사일 발사.", "방금 미상 지점 미사일 발사."),
        ("ja", "07時43分頃、北朝鮮から", "先程、不明な地点から"),
    ],
)
def test_a_first_notice_before_the_launch_is_located_reads_naturally(
    language: str, known: str, unknown: str
) -> None:
    """A first notice from a track comes before the launch point and time are estimated: it
    says "a moment ago", never "at a moment ago" or "先程頃"."""
    for stage in ("launch", "shelter"):
        located = render(alert(stage), language, "Asia/Tokyo", AREAS)  # type: ignore[arg-type]
        if stage == "launch" or language != "ja":
            assert known in located.description, (stage, located.description)
        early = alert(stage, launch_time_ns=None, launch_lat_deg=None, launch_lon_deg=None)
        text = render(early, language, "Asia/Tokyo", AREAS).description  # type: ignore[arg-type]
        if stage == "launch" or language != "ja":
            assert unknown in text, (stage, text)
        assert "at a moment" not in text and "先程頃" not in text and "{" not in text
