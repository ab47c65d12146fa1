"""Multi-process fabric benchmark: each nation's node in its own process, as deployed.

The coordinator (:func:`run_once_processes`) starts the fabric and one worker process per nation
(``python -m trilink.bench.fabric_worker``); they talk through small files in the run directory:
``<N>.ready``, ``go``, ``stop``, ``KOR.sent`` (event ids KOR sent to JPN), ``JPN.deliveries``
(``msg_id created_ns received_ns`` per delivered KOR event) and ``<N>.result.json``.
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

from trilink.fabric.agreements import AgreementBook
from trilink.fabric.guard import Outgoing
from trilink.fabric.local import LocalFabric, make_layout
from trilink.fabric.natsconf import load_layout
from trilink.node.config import NodeConfig
from trilink.node.node import Node
from trilink.wire.messages import Envelope

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

    deliveries: list[str] = []
    seen: set[str] = set()
    dup = 0

    def on_event(env: Envelope, route: str, now: int) -> None:
        nonlocal dup
        if env.origin != "KOR":
            return
        if env.msg_id in seen:
            dup += 1
            return
        seen.add(env.msg_id)
        deliveries.append(f"{env.msg_id} {env.created_ns} {now}\n")

    node = Node(_config(root, nation), on_event=on_event if nation == "JPN" else None)
    await node.start()
    (root / f"{nation}.ready").touch()
    sent: list[str] = []
    reports = 0
    if nation == "KOR":
        while not (root / "go").exists():
            await asyncio.sleep(0.01)
        rng = random.Random(spec["seed"])
        loop = asyncio.get_running_loop()
        start = loop.time()
        (root / "KOR.start").write_text(str(time.time_ns()))
        k = 0
        while (elapsed := loop.time() - start) < spec["duration"]:
            now = time.time_ns()
            while reports < int(elapsed * spec["rate_per_s"]):
                await node.share(Outgoing(_track(rng, reports, now), "SECRET", REL_ALL, "exercise"))
                reports += 1
            while k < int(elapsed * spec["event_rate"]):
                outs = await node.share(Outgoing(_event(k, now), "SECRET", REL_ALL, "exercise"))
                sent += [o.envelope.msg_id for o in outs if o.dest == "JPN"]
                k += 1
            await asyncio.sleep(0.005)
        (root / "KOR.sent").write_text("\n".join(sent) + "\n")
        await node.drain(180.0)
    else:
        out = (root / f"{nation}.deliveries").open("a") if nation == "JPN" else None
        while not (root / "stop").exists():
            await asyncio.sleep(0.1)
            if out is not None and deliveries:
                out.writelines(deliveries)
                out.flush()
                deliveries.clear()
        await node.drain(30.0)
        if out is not None:
            out.writelines(deliveries)
            out.close()
    result = {
        "counters": dict(node.counters),
        "refused_in": dict(node.refused_in),
        "duplicated": dup,
        "track_reports_sent": reports,
        "routes": sorted({r[4] for r in node.store.events("KOR")}),
    }
    await node.stop()
    (root / f"{nation}.result.json").write_text(json.dumps(result))


def worker_main(argv: list[str] | None = None) -> None:
    """Entry point of one worker process."""
    p = argparse.ArgumentParser()
    p.add_argument("--nation", required=True)
    p.add_argument("--root", required=True, type=Path)
    args = p.parse_args(argv)
    spec = json.loads((args.root / "spec.json").read_text())
    asyncio.run(_worker(args.nation, args.root, spec))


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
    from trilink.bench.fabric import ROUTES, latency_ms

    leg = ROUTES[spec.route]
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
            }
        )
    )
    procs: dict[str, subprocess.Popen[bytes]] = {}
    load_before = os.getloadavg()[0]
    fab.start()
    try:
        for nation in ("USA", "JPN", "KOR"):
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
        for nation in procs:
            _wait_file(root / f"{nation}.ready", 30.0, list(procs.values()))
        (root / "go").touch()
        if spec.outage_s:
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
        procs["KOR"].wait(duration + 240.0)
        sent = [s for s in (root / "KOR.sent").read_text().split() if s]
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
        for nation in ("USA", "JPN"):
            procs[nation].wait(60.0)
        for line in (root / "JPN.deliveries").read_text().splitlines():
            mid, created, recv = line.split()
            rows.setdefault(mid, (int(created), int(recv)))
        results = {n: json.loads((root / f"{n}.result.json").read_text()) for n in procs}
    finally:
        for pr in procs.values():
            if pr.poll() is None:
                pr.kill()
                pr.wait()
        fab.stop()
    measure_from = int((root / "KOR.start").read_text()) + int(spec.warmup_s * 1e9)
    latencies = [
        (r - c) / 1e6 for mid, (c, r) in rows.items() if mid in expected and c >= measure_from
    ]
    kor, usa, jpn = results["KOR"], results["USA"], results["JPN"]
    return {
        "route": spec.route,
        "rate_per_s": spec.rate_per_s,
        "outage_s": spec.outage_s,
        "gsomia_switch_s": spec.switch_s,
        "seconds": round(duration, 1),
        "warmup_s": spec.warmup_s,
        "latency_samples": len(latencies),
        "event_rate_per_s": spec.event_rate,
        "latency_ms": latency_ms(latencies),
        "sent": len(expected),
        "delivered": len(expected & set(rows)),
        "lost": len(expected - set(rows)),
        "duplicated": int(jpn["duplicated"]),
        "duplicates_dropped_by_node": int(jpn["counters"].get("duplicates_dropped", 0)),
        "acked_as_duplicate_by_stream": int(kor["counters"].get("acked_duplicate", 0))
        + int(usa["counters"].get("acked_duplicate", 0)),
        "routes_seen": jpn["routes"],
        "track_reports_sent": kor["track_reports_sent"],
        "track_reports_received": int(jpn["counters"].get("received_reports", 0)),
        "track_reports_lost": max(
            0, kor["track_reports_sent"] - int(jpn["counters"].get("received_reports", 0))
        ),
        "publish_retries": int(kor["counters"].get("publish_retries", 0))
        + int(usa["counters"].get("publish_retries", 0)),
        "load_avg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
        "processes": True,
    }


if __name__ == "__main__":
    worker_main()
