"""Wire: strict codec, signatures, hops, message ids and the keys CLI."""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
import pytest

from trilink.cli import main
from trilink.wire.codec import MAX_ENVELOPE_BYTES, WireError, decode, encode, new_msg_id
from trilink.wire.keys import init_nation, list_keys, load_signing_key
from trilink.wire.messages import (
    AreaProbability,
    Envelope,
    ImpactPrediction,
    LaunchEvent,
    TrackReport,
    Warning,
)
from trilink.wire.signing import Keyring, NationKey

RNG = random.Random(7)


def launch_envelope(origin: str = "KOR", rel_to: tuple[str, ...] = ("JPN", "USA")) -> Envelope:
    return Envelope(
        schema=1,
        msg_id=new_msg_id(1_700_000_000_000_000_000, RNG),
        kind="launch",
        origin=origin,  # type: ignore[arg-type]
        created_ns=1_700_000_000_000_000_000,
        classification="SECRET",
        rel_to=rel_to,  # type: ignore[arg-type]
        status="exercise",
        payload=LaunchEvent(
            launch_id="L1", launch_time_ns=1, lat_deg=39.0, lon_deg=125.7, point_sigma_m=500.0
        ),
    )


@pytest.fixture(scope="module")
def keys() -> dict[str, NationKey]:
    return {n: NationKey.generate(n) for n in ("KOR", "USA", "JPN")}


@pytest.fixture(scope="module")
def ring(keys: dict[str, NationKey]) -> Keyring:
    return Keyring({n: k.public for n, k in keys.items()})


def test_round_trip_and_signature(keys: dict[str, NationKey], ring: Keyring) -> None:
    env = keys["KOR"].sign(launch_envelope())
    back = decode(encode(env))
    assert back == env
    ring.verify(back)


def test_tampered_payload_fails(keys: dict[str, NationKey], ring: Keyring) -> None:
    env = keys["KOR"].sign(launch_envelope())
    forged = msgspec.structs.replace(env, rel_to=("JPN",))
    with pytest.raises(WireError) as err:
        ring.verify(decode(encode(forged)))
    assert err.value.reason == "bad_signature"


def test_signature_by_wrong_nation_fails(keys: dict[str, NationKey], ring: Keyring) -> None:
    env = launch_envelope()
    sig = keys["JPN"]._private.sign(b"x")  # a real signature, wrong key and bytes
    with pytest.raises(WireError, match="bad_signature"):
        ring.verify(msgspec.structs.replace(env, signature=sig))
    with pytest.raises(Exception, match="cannot sign for origin"):
        keys["JPN"].sign(env)


def test_unknown_key(keys: dict[str, NationKey]) -> None:
    env = keys["KOR"].sign(launch_envelope())
    with pytest.raises(WireError) as err:
        Keyring({"USA": keys["USA"].public}).verify(env)
    assert err.value.reason == "unknown_key"


def test_hop_keeps_origin_bytes_and_verifies(keys: dict[str, NationKey], ring: Keyring) -> None:
    env = keys["KOR"].sign(launch_envelope())
    relayed = keys["USA"].add_hop(env, "JPN", at_ns=5)
    assert relayed.signature == env.signature
    assert msgspec.structs.replace(relayed, hops=()) == env
    ring.verify(decode(encode(relayed)))
    # A hop re-addressed to another nation no longer verifies.
    bad = msgspec.structs.replace(
        relayed, hops=(msgspec.structs.replace(relayed.hops[0], to="KOR"),)
    )
    with pytest.raises(WireError, match="bad_hop_signature"):
        ring.verify(bad)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"schema":1', "malformed"),
        (b"NaN", "malformed"),
        (b"[]", "invalid"),
    ],
)
def test_garbage_is_refused(raw: bytes, reason: str) -> None:
    with pytest.raises(WireError) as err:
        decode(raw)
    assert err.value.reason == reason


def _mutate(env: Envelope, old: bytes, new: bytes) -> bytes:
    data = encode(env)
    assert old in data
    return data.replace(old, new, 1)


def test_nan_inf_out_of_range_unknown_kind_and_field(keys: dict[str, NationKey]) -> None:
    env = keys["KOR"].sign(launch_envelope())
    cases = [
        _mutate(env, b'"lat_deg":39.0', b'"lat_deg":NaN'),
        _mutate(env, b'"lat_deg":39.0', b'"lat_deg":1e999'),
        _mutate(env, b'"lat_deg":39.0', b'"lat_deg":91.0'),
        _mutate(env, b'"kind":"launch","launch_id"', b'"kind":"nuke","launch_id"'),
        _mutate(env, b'"kind":"launch","origin"', b'"kind":"track","origin"'),
        _mutate(env, b'"schema":1', b'"schema":2'),
        _mutate(env, b'"origin":"KOR"', b'"origin":"PRK"'),
        _mutate(env, b'"rel_to":["JPN","USA"]', b'"rel_to":["USA","JPN"]'),
        _mutate(env, b'"lat_deg":39.0', b'"lat_deg":39.0,"sensor_id":"X"'),
        _mutate(env, b'"lat_deg":39.0', b'"lat_deg":"39.0"'),
    ]
    for raw in cases:
        with pytest.raises(WireError) as err:
            decode(raw)
        assert err.value.reason in {"malformed", "invalid"}, raw


def test_oversize_refused_before_parsing() -> None:
    with pytest.raises(WireError) as err:
        decode(b" " * (MAX_ENVELOPE_BYTES + 1))
    assert err.value.reason == "oversize"


def test_payload_invariants() -> None:
    track = TrackReport(
        track_id="T1",
        time_ns=1,
        position_m=(1.0, 2.0, 3.0),
        velocity_mps=(0.0, 0.0, 0.0),
        covariance=tuple(float(i == j) for i in range(6) for j in range(6)),
        phase="boost",
        quality=0.9,
    )
    assert len(track.covariance) == 36
    with pytest.raises(ValueError, match="minor"):
        _impact("JP-01", major_m=10.0, minor_m=20.0)


def test_msg_id_is_uuid7_and_seeded() -> None:
    a = new_msg_id(1_700_000_000_123_000_000, random.Random(1))
    b = new_msg_id(1_700_000_000_123_000_000, random.Random(1))
    assert a == b
    assert a[14] == "7"
    later = new_msg_id(1_700_000_000_124_000_000, random.Random(1))
    assert later > a


def test_keys_files_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["keys", "init", "--nation", "KOR", "--dir", str(tmp_path)])
    assert (tmp_path / "KOR.key").stat().st_mode & 0o077 == 0
    key = load_signing_key(tmp_path, "KOR")
    ring = Keyring.load_dir(tmp_path)
    ring.verify(key.sign(launch_envelope()))
    with pytest.raises(SystemExit) as exit_:
        main(["keys", "init", "--nation", "KOR", "--dir", str(tmp_path)])
    assert exit_.value.code == 2
    assert "already exist" in capsys.readouterr().err
    init_nation(tmp_path, "JPN")
    rows = list_keys(tmp_path)
    assert [r["nation"] for r in rows] == ["KOR", "JPN"]
    main(["keys", "list", "--dir", str(tmp_path), "--json"])
    assert '"fingerprint"' in capsys.readouterr().out


def test_spliced_hop_equals_reencoded(keys: dict[str, NationKey], ring: Keyring) -> None:
    from trilink.wire.codec import splice_first_hop

    env = keys["KOR"].sign(launch_envelope())
    data = encode(env)
    relayed = keys["USA"].add_hop(env, "JPN", at_ns=9)
    spliced = splice_first_hop(data, relayed.hops[0])
    assert spliced == encode(relayed)
    ring.verify(decode(spliced))
    assert splice_first_hop(spliced, relayed.hops[0]) is None  # only the first hop is spliced


def _impact(area: str, major_m: float = 20.0, minor_m: float = 10.0) -> ImpactPrediction:
    """An impact prediction whose ellipse (``major_m`` by ``minor_m``) touches ``area``."""
    return ImpactPrediction(
        launch_id="L1",
        update=0,
        lat_deg=40.0,
        lon_deg=135.0,
        major_m=major_m,
        minor_m=minor_m,
        azimuth_deg=0.0,
        impact_time_ns=1,
        confidence=0.9,
        areas=(AreaProbability(area=area, probability=0.1),),
    )


def _impact_with_area(area: str) -> bytes:
    env = launch_envelope()
    return encode(msgspec.structs.replace(env, kind="impact", payload=_impact(area)))


def _warning_with_area(area: str) -> bytes:
    env = launch_envelope()
    warning = Warning(launch_id="L1", warning_id="W1", stage="shelter", issued_ns=1, areas=(area,))
    return encode(msgspec.structs.replace(env, kind="warning", payload=warning))


@pytest.mark.parametrize("area", ["JP-13", "KR-11", "US-GU", "JP-01", "KR-50", "US-AK"])
def test_iso_3166_2_area_codes_decode(area: str) -> None:
    for data in (_impact_with_area(area), _warning_with_area(area)):
        payload = decode(data).payload
        assert isinstance(payload, ImpactPrediction | Warning)


@pytest.mark.parametrize(
    "area", ["KOR-RADAR-7", "SEA-JP-EEZ", "jp-13", "JP13", "JP-", "J-13", "JP-1234", "JP_13"]
)
def test_malformed_area_codes_are_refused(area: str) -> None:
    for data in (_impact_with_area(area), _warning_with_area(area)):
        with pytest.raises(WireError) as err:
            decode(data)
        assert err.value.reason == "invalid"
