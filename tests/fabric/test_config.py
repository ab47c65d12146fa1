"""Generated NATS configs: accounts, permissions, TLS, direct link; fabric and node CLIs."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from trilink.cli import main
from trilink.fabric.local import make_layout
from trilink.fabric.natsconf import generate, load_layout, node_permissions
from trilink.fabric.server import nats_server_binary
from trilink.node.config import load_node_config


def test_binary_from_wheel() -> None:
    assert nats_server_binary().name == "nats-server"


def test_config_shapes(tmp_path: Path) -> None:
    layout = make_layout(tmp_path, tmp_path / "keys")
    generate(layout, tmp_path)
    hub = (tmp_path / "USA.conf").read_text()
    kor = (tmp_path / "KOR.conf").read_text()
    jpn = (tmp_path / "JPN.conf").read_text()
    assert "domain: USA" in hub and "domain: KOR" in kor
    assert "verify_and_map: true" in hub and "trust-bundle.pem" in hub
    assert "LINK_JPN" in kor and "LINK_KOR" in jpn  # GSOMIA in force: direct link
    assert (tmp_path / "KOR.conf").stat().st_mode & 0o077 == 0
    perms = node_permissions(layout, "KOR")
    assert "tl.d.KOR.JPN.>" in perms["publish"]
    assert not any(p.startswith(("tl.d.USA", "tl.r.", "tl.d.JPN")) for p in perms["publish"])
    assert "tl.r.KOR.JPN.>" in node_permissions(layout, "USA")["publish"]
    layout.direct_enabled = False
    generate(layout, tmp_path)
    # The direct link stays configured (so it is switched by a reload, not a restart), but
    # carries nothing.
    kor_off = (tmp_path / "KOR.conf").read_text()
    assert "LINK_JPN" in kor_off
    for subject in ("tl.d.KOR.JPN.>", "tl.d.JPN.KOR.>"):
        assert f"service: {subject!r}".replace("'", '"') not in kor_off  # not exported
        assert f"subject: {subject!r}".replace("'", '"') not in kor_off  # not imported
    assert 'service: "tl.d.KOR.USA.>"' in kor_off
    assert 'service: "tl.d.KOR.JPN.>"' in kor  # while GSOMIA was in force, it was
    assert load_layout(tmp_path).direct_enabled is False


def test_fabric_config_status_and_node_config_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fab"
    main(["fabric", "config", "--out", str(out)])
    assert "direct KOR-JPN link: yes" in capsys.readouterr().out
    cfg = load_node_config(out / "KOR-node.toml", "KOR")
    assert cfg.url.startswith("nats://127.0.0.1:")
    main(["fabric", "status", "--dir", str(out), "--json"])
    status = json.loads(capsys.readouterr().out)
    assert {s["nation"] for s in status["servers"]} == {"KOR", "USA", "JPN"}
    assert not any(s["up"] for s in status["servers"])
    # Wrong nation for the config, and a broken config: one-line errors, exit 2.
    with pytest.raises(SystemExit) as exit_:
        main(["node", "--nation", "JPN", "--config", str(out / "KOR-node.toml")])
    assert exit_.value.code == 2
    bad = tmp_path / "bad.toml"
    bad.write_text('nation = "PRK"\n')
    with pytest.raises(SystemExit):
        main(["node", "--nation", "KOR", "--config", str(bad)])
    assert "bad node config" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["fabric", "config", "--out", str(out), "--server", "KOR=nohost"])
    # Its server is not running: a one-line error, not a traceback.
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "node",
                "--nation",
                "KOR",
                "--config",
                str(out / "KOR-node.toml"),
                "--connect-timeout",
                "0.3",
            ]
        )
    assert exit_.value.code == 2
    assert "cannot reach its NATS server" in capsys.readouterr().err


def test_leaf_listener_requires_tls(tmp_path: Path) -> None:
    from trilink.fabric.local import LocalFabric

    layout = make_layout(tmp_path / "fab", tmp_path / "keys")
    fab = LocalFabric(tmp_path / "fab", layout)
    try:
        fab.start()
        hub = layout.servers["USA"]
        with socket.create_connection((hub.host, hub.leaf_port), timeout=2) as s:
            info = s.recv(4096).decode()
        assert info.startswith("INFO ")
        assert json.loads(info[5:])["tls_required"] is True
    finally:
        fab.stop()


def test_one_server_per_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three 'sites', each with only its own private keys, configured from a shared server list."""
    import shutil

    from trilink.fabric.local import LocalFabric
    from trilink.fabric.server import free_port
    from trilink.wire.keys import init_nation

    nations = ("KOR", "USA", "JPN")
    sites = {n: tmp_path / n for n in nations}
    for n, site in sites.items():
        init_nation(site / "keys", n)
    for n, site in sites.items():  # exchange public material only
        for other in nations:
            if other != n:
                for name in (f"{other}.pub", f"{other}-ca.pem"):
                    shutil.copy(sites[other] / "keys" / name, site / "keys" / name)
    servers = [f"--server={n}=127.0.0.1:{free_port()}:{free_port()}:{free_port()}" for n in nations]
    for n, site in sites.items():
        main(
            [
                "fabric",
                "config",
                "--out",
                str(site / "fab"),
                "--keys",
                str(site / "keys"),
                "--secrets-dir",
                str(site / "secrets"),
                "--nation",
                n,
                *servers,
            ]
        )
        assert json.loads((site / "secrets" / f"{n}.secrets.json").read_text()).keys() == {
            f"{n}.node"
        }
    capsys.readouterr()
    fabs = {n: LocalFabric(sites[n] / "fab", regenerate=False) for n in nations}
    try:
        for n in ("USA", "KOR", "JPN"):
            fabs[n].start_one(n)
        expected = fabs["USA"].expected_links()
        import time

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if all(fabs[n].servers[n].leaf_accounts() == expected[n] for n in nations):
                break
            time.sleep(0.05)
        assert {n: fabs[n].servers[n].leaf_accounts() for n in nations} == {
            n: expected[n] for n in nations
        }
        # A site without its server key cannot start (clear error, not a crash).
        (sites["JPN"] / "keys" / "JPN-server.key").unlink()
        fabs["JPN"].servers["JPN"].stop()
        with pytest.raises(Exception, match="missing"):
            fabs["JPN"].start_one("JPN")
    finally:
        for n in nations:
            fabs[n].servers[n].stop()
