"""``LiveNodeView`` over a real (unstarted) node and warning desk, served by the app."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trilink import NATIONS
from trilink.fabric.agreements import AgreementBook
from trilink.geo.areas import AreaIndex
from trilink.node.config import NodeConfig
from trilink.node.node import Node
from trilink.node.store import AuditRow
from trilink.node.warnings import WarningDesk, _Launch, _Object, _Prediction
from trilink.warning.picture import LaunchView, ThreatPicture
from trilink.web.live import LiveNodeView
from trilink.web.view import NodeView
from trilink.wire.signing import Keyring, NationKey

from .conftest import Served, login

__all__: list[str] = []

T0 = 1_772_323_200 * 10**9
S = 10**9


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveNodeView]:
    keys = {n: Ed25519PrivateKey.generate() for n in NATIONS}
    nk = {n: NationKey(n, k) for n, k in keys.items()}
    cfg = NodeConfig(
        nation="JPN",
        url="nats://127.0.0.1:1",  # never connected
        password="",
        keys_dir=str(tmp_path),
        agreements_dir=str(tmp_path),
        store=str(tmp_path / "JPN.sqlite"),
    )
    now = [T0 + 200 * S]
    book = AgreementBook(state_dir=tmp_path / "agreements", clock=lambda: now[0])
    node = Node(
        cfg,
        clock=lambda: now[0],
        key=nk["JPN"],
        keyring=Keyring({n: k.public for n, k in nk.items()}),
        book=book,
    )
    desk = WarningDesk("JPN", AreaIndex.default(), "exercise")
    lv = LaunchView(
        launch_id="L1", time_ns=T0, lat_deg=39.0, lon_deg=125.7, sigma_m=5000.0, source="own"
    )
    desk.launches["L1"] = _Launch(view=lv, lat=39.0, lon=125.7, t=T0 / 1e9, sigma_m=5000.0)
    for oid, (lat, lon) in {"F1": (41.0, 138.0), "F2": (39.5, 127.0)}.items():
        desk.objects[oid] = _Object(
            object_id=oid,
            launch_id="L1",
            prediction=_Prediction(
                t=T0 / 1e9 + 100,
                impact_lat=lat,
                impact_lon=lon,
                impact_t=T0 / 1e9 + 600,
                impact_sigma_s=5.0,
                cov_en=np.diag([1e8, 4e8]),
                apogee_km=900.0,
                track_lat=np.array([[39.5, 40.0, lat]]),
                track_lon=np.array([[127.0, 130.0, lon]]),
                frac=np.array([0.0, 0.5, 1.0]),
            ),
        )
        desk.history[oid] = [
            (T0 / 1e9 + 60 + i, 39.0 + i / 10, 125.7 + i / 5, 1e5) for i in range(5)
        ]
    desk._object_of_source.update({"own:T1": "F1", "KOR:K7": "F1", "KOR:K8": "F2"})
    desk.now_ns = T0 + 70 * S
    desk.alerts.extend(
        desk.engine.update(ThreatPicture(t_ns=T0 + 70 * S, status="exercise", launches=(lv,)))
    )
    node.store.save_event("m-1", "KOR", "launch", "K-1", "exercise", T0, T0 + S, "direct", b"{}")
    node.store.audit(AuditRow(at_ns=T0, direction="out", kind="launch", peer="KOR"), now=True)
    node.store.audit(AuditRow(at_ns=T0, direction="refused_in", reason="signature"), now=True)
    yield LiveNodeView(node, desk)
    node.store.close()


def test_live_view_reads_the_node_and_the_desk(live: LiveNodeView) -> None:
    assert isinstance(live, NodeView)
    assert live.nation == "JPN" and live.status == "exercise"
    tracks = {t.object_id: t for t in live.tracks()}
    assert tracks["F1"].origin == "fused" and tracks["F1"].nations == ["JPN", "KOR"]
    assert tracks["F2"].origin == "partner" and tracks["F2"].nations == ["KOR"]
    assert tracks["F1"].role == "rv" and tracks["F2"].role == "booster"
    assert len(tracks["F1"].history) == 5
    (launch,) = live.launches()
    assert launch.source == "own" and launch.sigma_m == 5000.0
    preds = {p.object_id: p for p in live.predictions()}
    assert preds["F1"].major_m > preds["F1"].minor_m > 0
    assert [a.stage for a in live.alerts()] == ["launch"]
    assert [e.origin for e in live.events()] == ["KOR"]
    assert {ln.peer for ln in live.links()} == {"KOR", "USA"}
    assert all(not ln.up for ln in live.links())
    counters = live.counters()
    assert counters["sent:launch"] == 1 and counters["refused_in:signature"] == 1
    v = live.version()
    assert live.version() == v  # nothing changed, same version


def test_a_launch_known_only_from_its_tracks_is_not_drawn_yet(live: LiveNodeView) -> None:
    """The desk names a launch from its tracks before any launch event: no point, no time."""
    lid = live.desk._new_launch("KOR/L7")
    assert math.isnan(live.desk.launches[lid].t)
    assert [la.launch_id for la in live.launches()] == ["L1"]


def test_live_actions_are_audited_and_bump_the_version(live: LiveNodeView) -> None:
    v = live.version()
    live.acknowledge("JPN-L1-0", "op")
    assert live.acknowledged() == {"JPN-L1-0": ["op"]}
    assert live.version() > v
    alert = live.issue_cancel("L1", "op")
    assert alert.stage == "cancel" and alert.alert_id == "JPN-L1-1"
    assert alert.references == ("JPN-L1-0",)
    # Closed in the engine too: it issues nothing more for the launch.
    assert live.desk.engine._launches["L1"].closed
    with pytest.raises(Exception, match="already closed"):
        live.issue_all_clear("L1", "op")
    name = sorted(live.node.book.agreements)[0]
    row = live.set_agreement(name, "suspended", "adm", "drill")
    assert row.state == "suspended" and row.by == "adm"
    kinds = [e.kind for e in live.audit(10)]
    assert kinds[:3] == ["agreement", "cancel", "acknowledge"]
    with pytest.raises(Exception, match="unknown agreement"):
        live.set_agreement("nope", "suspended", "adm", "x")


def test_the_app_serves_a_live_view(live: LiveNodeView, serve: Callable[..., Served]) -> None:
    s = serve(live)
    with s.client() as c:
        csrf = login(c, "operator")
        snap = c.get("/api/v1/state").json()
        assert snap["nation"] == "JPN" and len(snap["tracks"]) == 2
        r = c.post("/api/v1/launches/L1/all-clear", headers={"x-csrf-token": csrf})
        assert r.status_code == 200 and r.json()["stage"] == "all_clear"
        assert c.get("/api/v1/picture.geojson").status_code == 200
        assert c.get(f"/api/v1/alerts/{r.json()['alert_id']}.cap").status_code == 200
