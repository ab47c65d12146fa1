"""Through real servers: no sensor name reaches a partner, nested or respelled."""

from __future__ import annotations

import sqlite3
import unicodedata

import msgspec
import pytest

from trilink.fabric.guard import Outgoing
from trilink.node.node import Node
from trilink.synthetic.messages import sample_payload
from trilink.wire.messages import (
    AreaProbability,
    ImpactPrediction,
    TrackReport,
    Warning,
)

from .conftest import Env, wait_for

pytestmark = pytest.mark.xdist_group("nats")


def folded(data: bytes) -> str:
    """Compatibility-normalised, case-folded letters and digits only."""
    text = unicodedata.normalize("NFKC", data.decode("utf-8", "replace")).casefold()
    return "".join(c for c in text if c.isalnum())


async def test_nested_and_respelled_sensor_names_never_reach_jpn(env: Env) -> None:
    usa = Node(env.config("USA"))
    jpn = Node(env.config("JPN"))
    cfg = env.config("KOR")
    cfg.sensitive_terms = ["KOR-RADAR-7"]
    kor = Node(cfg)
    for nation, node in (("USA", usa), ("JPN", jpn), ("KOR", kor)):
        await node.start()
        env.nodes[nation] = node
    try:
        assert kor.cfg.track_batch_ms > 0  # the default, batched path
        report = sample_payload("track")
        assert isinstance(report, TrackReport)
        rel = ("JPN", "KOR", "USA")
        # Refused alone and (the hole) inside a batch; the clean report is sent.
        bad = msgspec.structs.replace(report, track_id="trk-bad", launch_id="KOR-RADAR-7-L9")
        good = msgspec.structs.replace(report, track_id="trk-good", launch_id="L9")
        await kor.share(Outgoing(bad, "SECRET", rel, "exercise"))
        await kor.share(Outgoing(good, "SECRET", rel, "exercise"))
        impact = sample_payload("impact")
        assert isinstance(impact, ImpactPrediction)
        bad_area = (
            AreaProbability(area="KR-11", probability=0.1),
            AreaProbability(area="kor_radar-7", probability=0.2),
        )
        await kor.share(
            Outgoing(msgspec.structs.replace(impact, areas=bad_area), "SECRET", rel, "exercise")
        )
        warning = Warning(
            launch_id="L9",
            warning_id="W9",
            stage="launch",
            issued_ns=report.time_ns,
            areas=("JP-13",),
            text_en="Launch seen by KOR\u2010RADAR\u20117 and by kor radar 7.",
        )
        await kor.share(Outgoing(warning, "SECRET", rel, "exercise"))
        assert await wait_for(lambda: len(jpn.store.events("KOR")) == 1)
        assert await wait_for(lambda: jpn.counters["received_reports"] == 1)
        assert kor.guard.refused["sensor_identity"] == 2  # the report and the impact
        audited = [r for r in kor.store.audit_rows("refused_out") if r.reason == "sensor_identity"]
        assert {r.kind for r in audited} == {"tracks", "impact"}
        # What JPN holds: the clean report and the warning, redacted; nothing names the radar.
        [(_, _, data)] = jpn.store.event_envelopes()
        assert b"Launch seen by [sensor] and by [sensor]." in data
        jpn.store.flush()
        db = sqlite3.connect(jpn.cfg.store)
        stored = [row[0] for row in db.execute("SELECT envelope FROM tracks")]
        stored += [row[0] for row in db.execute("SELECT envelope FROM events")]
        db.close()
        assert len(stored) == 2
        assert not any("korradar7" in folded(blob) for blob in stored)
        assert [t[0] for t in jpn.store.tracks()] == ["KOR"]
    finally:
        await env.stop_nodes()
