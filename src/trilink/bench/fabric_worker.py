"""Multi-process fabric benchmark: each nation's node in its own process, as deployed.

The coordinator (:func:`run_once_processes`) starts the fabric and one worker process per nation
(``python -m trilink.bench.fabric_worker``); they talk through small files in the run directory:
``<N>.ready``, ``go``, ``stop``, ``<S>.sent`` (event ids the sender S sent to JPN),
``JPN.deliveries`` (``msg_id created_ns received_ns`` per delivered event of S) and
``<N>.result.json``. In a flood run a fourth process (``--flood``) holds KOR's node credentials:
it waits for ``flood.go``, publishes bad-signature track state at JPN as fast as it can and
writes ``flood.sent``; JPN works through all of it before it stops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
import nats

from trilink.fabric.agreements import AgreementBook
from trilink.fabric.guard import Outgoing
from trilink.fabric.local import LocalFabric, make_layout
from trilink.fabric.natsconf import load_layout
from trilink.node.config import NodeConfig
from trilink.node.node import Node
from trilink.node.store import Store
from trilink.wire.codec import encode, new_msg_id
from trilink.wire.keys import load_signing_key
from trilink.wire.messages import Envelope, TrackBatch, TrackReport

__all__ = ["run_once_processes", "worker_main"]

REL_ALL = ("JPN", "KOR", "USA")


def _config(root: Path, nation: str) -> NodeConfig:
    layout = load_layout(root / "fabric")
    return NodeConfig(
        nation=nation,
        url=layout.url(nation),
        password=layout.passwords[f"{nation}.node"],
        keys_dir=str(root / "keys"),
        agreements_dir=str(root / "agreements"),
        store=str(root / f"{nation}.sqlite"),
        heartbeat_s=1.0,
    )


async def _worker(nation: str, root: Path, spec: dict[str, Any]) -> None:
    from trilink.bench.fabric import _event, _track  # shared load shapes

    sender = spec["sender"]
    deliveries: list[str] = []
    seen: set[str] = set()
    dup = 0
    #: (report time, receive time) of every real track report from the sender.
    report_times: list[tuple[int, int]] = []

    def on_event(env: Envelope, route: str, now: int) -> None:
        nonlocal dup
        if env.origin != sender:
            return
        if env.msg_id in seen:
            dup += 1
            return
        seen.add(env.msg_id)
        deliveries.append(f"{env.msg_id} {env.created_ns} {now}\n")

    def on_track(env: Envelope, route: str, now: int) -> None:
        if env.origin != sender:
            return
        p = env.payload
        reports_in = p.reports if isinstance(p, TrackBatch) else (p,)
        report_times.extend((r.time_ns, now) for r in reports_in if isinstance(r, TrackReport))

    jpn = nation == "JPN"
    node = Node(
        _config(root, nation),
        on_event=on_event if jpn else None,
        on_track=on_track if jpn else None,
    )
    await node.start()
    (root / f"{nation}.ready").touch()
    sent: list[str] = []
    reports = 0
    # In a flood run KOR runs no node: share with those that do, or the spool waits for KOR.
    rel = REL_ALL if not spec["flood_s"] else ("JPN", "USA")
    if nation == sender:
        while not (root / "go").exists():
            await asyncio.sleep(0.01)
        rng = random.Random(spec["seed"])
        loop = asyncio.get_running_loop()
        start = loop.time()
        (root / "sender.start").write_text(str(time.time_ns()))
        k = 0
        while (elapsed := loop.time() - start) < spec["duration"]:
            now = time.time_ns()
            while reports < int(elapsed * spec["rate_per_s"]):
                await node.share(Outgoing(_track(rng, reports, now), "SECRET", rel, "exercise"))
                reports += 1
            while k < int(elapsed * spec["event_rate"]):
                outs = await node.share(Outgoing(_event(k, now), "SECRET", rel, "exercise"))
                sent += [o.envelope.msg_id for o in outs if o.dest == "JPN"]
                k += 1
            await asyncio.sleep(0.005)
        (root / "sender.sent").write_text("\n".join(sent) + "\n")
        await node.drain(180.0)
    else:
        out = (root / f"{nation}.deliveries").open("a") if jpn else None
        while not (root / "stop").exists():
            await asyncio.sleep(0.1)
            if out is not None and deliveries:
                out.writelines(deliveries)
                out.flush()
                deliveries.clear()
        if jpn and (root / "flood.sent").exists():
            # Work through the whole flood (each message refused, shed or dropped) first.
            flood = int((root / "flood.sent").read_text())
            deadline = time.monotonic() + 180.0
            while time.monotonic() < deadline and _flood_handled(node) < flood:
                await asyncio.sleep(0.1)
        await node.drain(30.0)
        if out is not None:
            out.writelines(deliveries)
            out.close()
    result = {
        "counters": dict(node.counters),
        "refused_in": dict(node.refused_in),
        "duplicated": dup,
        "track_reports_sent": reports,
        "report_times": report_times,
        "routes": sorted({r[4] for r in node.store.events(sender)}),
    }
    await node.stop()
    (root / f"{nation}.result.json").write_text(json.dumps(result))


def _flood_handled(node: Node) -> int:
    """Flood messages a node has dealt with so far: refused, or discarded by the server (the
    exact figure, per origin and kind, comes from the audit afterwards)."""
    return node.refused_in["bad_signature"] + node.counters["stream_dropped"]


async def _flood(root: Path, spec: dict[str, Any]) -> None:
    """Publish bad-signature track state from KOR's credentials at JPN, as fast as one client
    goes, for ``flood_s`` seconds once ``flood.go`` exists."""
    from trilink.synthetic.messages import sample_payload

    layout = load_layout(root / "fabric")
    key = load_signing_key(root / "keys", "KOR")

    def envelope(n: int) -> Envelope:
        created = time.time_ns()
        return Envelope(
            schema=1,
            msg_id=new_msg_id(created),
            kind="tracks",
            origin="KOR",
            created_ns=created,
            classification="SECRET",
            rel_to=("JPN", "KOR", "USA"),
            status="exercise",
            payload=sample_payload("tracks", n),
        )

    # Well-formed and fresh, signed over other bytes: only the signature check can refuse it.
    signed = key.sign(envelope(0))
    garbage = encode(msgspec.structs.replace(signed, signature=key.sign(envelope(1)).signature))
    nc = await nats.connect(
        layout.url("KOR"),
        user="node",
        password=layout.passwords["KOR.node"],
        pending_size=64 * 1024 * 1024,
    )
    (root / "flood.ready").touch()
    while not (root / "flood.go").exists():
        await asyncio.sleep(0.01)
    end = time.monotonic() + spec["flood_s"]
    sent = 0
    while time.monotonic() < end:
        for _ in range(500):
            await nc.publish("tl.d.KOR.JPN.st.tracks", garbage)
        sent += 500
    await nc.flush(30)
    await nc.close()
    (root / "flood.sent").write_text(str(sent))


def worker_main(argv: list[str] | None = None) -> None:
    """Entry point of one worker process."""
    p = argparse.ArgumentParser()
    p.add_argument("--nation", required=True)
    p.add_argument("--root", required=True, type=Path)
    p.add_argument("--flood", action="store_true", help="Flood JPN with the nation's credentials.")
    args = p.parse_args(argv)
    spec = json.loads((args.root / "spec.json").read_text())
    asyncio.run(_flood(args.root, spec) if args.flood else _worker(args.nation, args.root, spec))


def _wait_file(path: Path, timeout: float, procs: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        for pr in procs:
            if pr.poll() not in (None, 0):
                raise RuntimeError(f"bench worker exited with {pr.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path.name} after {timeout:.0f}s")
        time.sleep(0.02)


def run_once_processes(spec: Any, root: Path) -> dict[str, Any]:
    """Run one :class:`~trilink.bench.fabric.RunSpec` with a process per node."""
    from trilink.bench.fabric import ROUTES, latency_ms, row_head

    leg = ROUTES.get(spec.route, "d")
    book = AgreementBook(state_dir=root / "agreements")
    if leg == "r":
        book.set_state("GSOMIA", "suspended", by="bench", reason="hub route")
    layout = make_layout(root / "fabric", root / "keys", direct_enabled=(leg == "d"))
    fab = LocalFabric(root / "fabric", layout)
    duration = spec.duration_s
    (root / "spec.json").write_text(
        json.dumps(
            {
                "duration": duration,
                "rate_per_s": spec.rate_per_s,
                "event_rate": spec.event_rate,
                "seed": spec.seed,
                "sender": spec.sender,
                "flood_s": spec.flood_s,
            }
        )
    )
    procs: dict[str, subprocess.Popen[bytes]] = {}
    load_before = os.getloadavg()[0]
    fab.start()
    try:
        # In a flood run KOR's credentials are the flooder's: KOR's own node does not run, so
        # that all state under KOR's name at JPN is the flood and can be accounted exactly.
        nations = ("USA", "JPN") if spec.flood_s else ("USA", "JPN", "KOR")
        for nation in nations:
            with (root / f"{nation}.worker.log").open("wb") as log:
                procs[nation] = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "trilink.bench.fabric_worker",
                        "--nation",
                        nation,
                        "--root",
                        str(root),
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        if spec.flood_s:
            with (root / "flood.worker.log").open("wb") as log:
                procs["flood"] = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "trilink.bench.fabric_worker",
                        "--nation",
                        "KOR",
                        "--flood",
                        "--root",
                        str(root),
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        for name in procs:
            _wait_file(root / f"{name}.ready", 30.0, list(procs.values()))
        (root / "go").touch()
        sender = procs[spec.sender]
        if spec.flood_s:
            time.sleep(spec.warmup_s)
            (root / "flood.go").touch()
            procs["flood"].wait(spec.flood_s + 120.0)
        elif spec.outage_s:
            time.sleep(spec.warmup_s + spec.outage_at_s)
            fab.kill("USA")
            time.sleep(spec.outage_s)
            fab.restart("USA")
            fab.wait_links(30.0)
        elif spec.switch_s:
            time.sleep(spec.warmup_s + spec.outage_at_s)
            book.set_state("GSOMIA", "suspended", by="bench", reason="switch run")
            fab.set_direct(False)
            time.sleep(spec.switch_s)
            book.set_state("GSOMIA", "in_force", by="bench", reason="switch run")
            fab.set_direct(True)
        sender.wait(duration + 240.0)
        sent = [s for s in (root / "sender.sent").read_text().split() if s]
        expected = set(sent)
        deadline = time.monotonic() + 60.0
        rows: dict[str, tuple[int, int]] = {}
        while time.monotonic() < deadline:
            path = root / "JPN.deliveries"
            if path.exists():
                for line in path.read_text().splitlines():
                    mid, created, recv = line.split()
                    rows.setdefault(mid, (int(created), int(recv)))
            if expected <= set(rows):
                break
            time.sleep(0.2)
        time.sleep(0.5)
        (root / "stop").touch()
        for name, pr in procs.items():
            # JPN first works through a flood (up to 180 s)
            pr.wait(240.0 if name == "JPN" else 60.0)
        for line in (root / "JPN.deliveries").read_text().splitlines():
            mid, created, recv = line.split()
            rows.setdefault(mid, (int(created), int(recv)))
        results = {
            n: json.loads((root / f"{n}.result.json").read_text()) for n in procs if n != "flood"
        }
    finally:
        for pr in procs.values():
            if pr.poll() is None:
                pr.kill()
                pr.wait()
        fab.stop()
    measure_from = int((root / "sender.start").read_text()) + int(spec.warmup_s * 1e9)
    latencies = [
        (r - c) / 1e6 for mid, (c, r) in rows.items() if mid in expected and c >= measure_from
    ]
    kor, usa, jpn = results.get("KOR", {"counters": {}}), results["USA"], results["JPN"]
    src = results[spec.sender]
    received = len(jpn["report_times"])
    report_ms = [(r - t) / 1e6 for t, r in jpn["report_times"] if t >= measure_from]
    row = {
        **row_head(spec, duration, latencies),
        "sent": len(expected),
        "delivered": len(expected & set(rows)),
        "lost": len(expected - set(rows)),
        "duplicated": int(jpn["duplicated"]),
        "duplicates_dropped_by_node": int(jpn["counters"].get("duplicates_dropped", 0)),
        "acked_as_duplicate_by_stream": int(kor["counters"].get("acked_duplicate", 0))
        + int(usa["counters"].get("acked_duplicate", 0)),
        "routes_seen": jpn["routes"],
        "sender": spec.sender,
        "track_reports_sent": src["track_reports_sent"],
        "track_reports_received": received,
        "track_reports_lost": max(0, src["track_reports_sent"] - received),
        "track_report_latency_ms": latency_ms(report_ms),
        "publish_retries": int(kor["counters"].get("publish_retries", 0))
        + int(usa["counters"].get("publish_retries", 0)),
        "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
        "processes": True,
    }
    if spec.flood_s:
        row["flood"] = _flood_accounts(root, spec.flood_s)
    return row


def _flood_accounts(root: Path, flood_s: float) -> dict[str, Any]:
    """How JPN dealt with each flood message, from its audit (one row per refusal, one per
    subject and flush for drops)."""
    sent = int((root / "flood.sent").read_text())
    store = Store(str(root / "JPN.sqlite"))
    try:
        refused = sum(
            1
            for r in store.audit_rows("refused_in")
            if r.kind == "tracks" and r.origin == "KOR" and r.reason == "bad_signature"
        )
        # KOR's own node does not run in a flood run: all state under KOR's name is the flood
        discarded = sum(
            int(r.detail.split()[0])
            for r in store.audit_rows("dropped")
            if r.origin == "KOR" and r.reason == "stream_limit"
        )
    finally:
        store.close()
    accounted = refused + discarded
    return {
        "seconds": flood_s,
        "sent": sent,
        "rate_per_s": round(sent / flood_s),
        "refused_bad_signature": refused,
        "discarded_over_stream_limit": discarded,
        "accounted": accounted,
        "unaccounted": sent - accounted,
    }


if __name__ == "__main__":
    worker_main()
