"""``trilink demo`` end to end: keys, configs, three real nats-servers, three nodes replaying a
short cut of a library scenario; then everything is stopped and removed."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from trilink.cli import main
from trilink.node import network

pytestmark = pytest.mark.xdist_group("nats")


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def test_demo_without_gsomia_relays_fuses_and_cleans_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    made: list[Path] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(**kw: str) -> str:
        path = real_mkdtemp(**kw)
        made.append(Path(path))
        return path

    # the demo's temporary directory (made by trilink.node.network.run_dir)
    monkeypatch.setattr(network.tempfile, "mkdtemp", mkdtemp)
    ports: list[tuple[str, int]] = []
    from trilink.fabric import local

    orig = local.LocalFabric.start

    def start(self: local.LocalFabric, wait_links: float = 15.0) -> None:
        ports.extend((s.host, s.client_port) for s in self.layout.servers.values())
        orig(self, wait_links)

    monkeypatch.setattr(local.LocalFabric, "start", start)
    main(["demo", "--until", "200", "--speed", "60", "--no-gsomia", "--workers", "2", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert result["complete"] and result["gsomia"] is False
    nations = result["nations"]
    assert set(nations) == {"KOR", "USA", "JPN"}
    for n, s in nations.items():
        assert s["shared"]["launch_events"] == 1 and s["shared"]["impact_predictions"] > 0
        assert set(s["received"]) == {"KOR", "USA", "JPN"} - {n}
        for origin, r in s["received"].items():
            assert len(r["launch_events"]) == 1 and r["impact_predictions"] > 0
            assert r["tracks"] > 0
            assert sum(r["routes"].values()) == s["expected_events"][origin]
        fused = s["fused"]
        assert fused["multi_source"] == sum(len(src) > 1 for src in fused["sources"]) >= 1
        assert fused["multi_source_peak"] >= 1  # the node's running peak, not a default
        # Fused from own tracks and this node's partners only.
        labels = {x.split(":")[0] for src in fused["sources"] for x in src}
        assert "own" in labels and labels <= {"own", *(set(nations) - {n})}
        assert not s["refused_in"]
    # GSOMIA suspended: KOR and JPN hear each other only through the US hub
    assert set(nations["JPN"]["received"]["KOR"]["routes"]) == {"relay"}
    assert set(nations["KOR"]["received"]["JPN"]["routes"]) == {"relay"}
    assert set(nations["JPN"]["received"]["USA"]["routes"]) == {"direct"}
    assert nations["USA"]["relayed"] > 0
    # servers stopped, temporary directory removed
    assert len(ports) == 3 and not any(_port_open(h, p) for h, p in ports)
    assert made and not any(p.exists() for p in made)


def test_demo_bad_scenario_starts_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--scenario", "no-such-scenario"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("trilink: error:") and "no-such-scenario" in err
    with pytest.raises(SystemExit):
        main(["demo", "--speed", "0"])


def _read_until(stream: IO[str], last: Callable[[str], bool]) -> list[str]:
    """The lines of a child's output up to and including the first ``last`` one (or its end)."""
    lines = []
    for line in stream:
        lines.append(line)
        if last(line):
            break
    return lines


def _server_ports(out: Path) -> list[tuple[str, int]]:
    """The client ports of the demo's three NATS servers (from its fabric layout)."""
    layout = json.loads((out / "fabric" / "fabric.json").read_text())
    return [(s["host"], s["client_port"]) for s in layout["servers"].values()]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_demo_interrupted_stops_its_servers(tmp_path: Path, sig: signal.Signals) -> None:
    out = tmp_path / "demo"
    cmd = [sys.executable, "-m", "trilink.cli", "demo", "--until", "60", "--speed", "1"]
    cmd += ["--workers", "0", "--out", str(out), "--summary"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        lines = _read_until(proc.stderr, lambda line: "nodes up" in line)
        assert any("nodes up" in x for x in lines), lines
        ports = _server_ports(out)
        assert all(_port_open(h, p) for h, p in ports)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 2 and "trilink: error: aborted" in err
        assert not any(_port_open(h, p) for h, p in ports)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_live_demo_refuses_a_taken_page_port_before_any_work(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as exc:
            main(["demo", "--port-base", str(port - 2), "--until", "10"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1  # one line, before any pipeline ran
    assert err[0].startswith(f"trilink: error: cannot serve JPN's page on 127.0.0.1:{port}")
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--port-base", "70000"])
    assert exc.value.code == 2


def test_live_demo_serves_until_ctrl_c_then_leaves_nothing(tmp_path: Path) -> None:
    import httpx

    from trilink.livedemo import free_port_base

    out = tmp_path / "demo"
    base = free_port_base()
    cmd = [sys.executable, "-m", "trilink.cli", "demo", "--until", "20", "--speed", "30"]
    cmd += ["--workers", "0", "--out", str(out), "--port-base", str(base)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = _read_until(proc.stdout, lambda line: line.startswith("JPN "))
        assert lines[-1].split() == ["JPN", f"http://127.0.0.1:{base + 2}/"], lines
        for i, n in enumerate(("KOR", "USA", "JPN")):
            r = httpx.get(f"http://127.0.0.1:{base + i}/health", timeout=10)
            assert r.json() == {"nation": n, "status": "ok"}
        ports = _server_ports(out) + [("127.0.0.1", base + i) for i in range(3)]
        assert all(_port_open(h, p) for h, p in ports)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert not any(_port_open(h, p) for h, p in ports)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
