"""Attacks on the fabric through real nats-servers: link users, monitoring, client TLS."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import msgspec
import nats
import pytest

from trilink import NATIONS, TrilinkError
from trilink.cli import main
from trilink.fabric.local import LocalFabric, make_layout
from trilink.fabric.natsconf import load_layout
from trilink.fabric.server import NatsServer, free_port
from trilink.node.config import load_node_config
from trilink.node.node import Node
from trilink.node.secure import is_tls

__all__: list[str] = []


@pytest.fixture
def fab(tmp_path: Path) -> Iterator[LocalFabric]:
    layout = make_layout(tmp_path / "fab", tmp_path / "keys")
    fabric = LocalFabric(tmp_path / "fab", layout)
    try:
        fabric.start()
        yield fabric
    finally:
        fabric.stop()


async def _refused(url: str, **kw: object) -> bool:
    """Whether the server refuses this connection (nats-py would otherwise retry forever)."""
    try:
        nc = await nats.connect(url, allow_reconnect=False, connect_timeout=2, **kw)  # type: ignore[arg-type]
    except Exception:
        return True
    await nc.close()
    return False


#: (server, link user, secret name) of every leaf link.
LINK_USERS = [
    ("USA", "leaf-kor", "KOR.leaf"),
    ("USA", "leaf-jpn", "JPN.leaf"),
    ("KOR", "direct-jpn", "KOR-JPN.leaf"),
]


async def test_link_users_cannot_log_in_on_client_port(fab: LocalFabric) -> None:
    layout = fab.layout
    for server, user, secret in LINK_USERS:
        url = layout.url(server)
        # With the link's own secret, or as the partner certificate's subject name.
        assert await _refused(url, user=user, password=layout.password(secret)), user
        subject = f"CN=trilink {secret[:3]} server,O=trilink"
        assert await _refused(url, user=subject, password=""), subject
    # The node user still logs in (the refusals above are not a broken port).
    assert not await _refused(layout.url("USA"), user="node", password=layout.passwords["USA.node"])


async def test_leaf_port_refuses_clients_without_link_certificate(fab: LocalFabric) -> None:
    layout = fab.layout
    bundle = fab.directory / "trust-bundle.pem"
    keys = Path(str(layout.keys_dir))
    no_cert = ssl.create_default_context(cafile=str(bundle))
    # A client certificate from a trusted CA but not a link's subject: the USA node's own
    # server certificate is trusted yet maps to no link user on its own listener.
    wrong_cert = ssl.create_default_context(cafile=str(bundle))
    wrong_cert.load_cert_chain(keys / "USA-server.pem", keys / "USA-server.key")
    for server, user, secret in LINK_USERS:
        s = layout.servers[server]
        url = f"nats://{s.host}:{s.leaf_port}"
        pw = layout.password(secret)
        assert await _refused(url, user=user, password=pw), user
        for ctx in (no_cert, wrong_cert):
            assert await _refused(url, user=user, password=pw, tls=ctx, tls_hostname="localhost"), (
                user
            )


def _http_ok(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=2) as resp:
            return bool(json.loads(resp.read()).get("status") == "ok")
    except OSError:
        return False


#: A second loopback address: a server listening there is not on 127.0.0.1, yet no packet
#: leaves the machine (tests send traffic to loopback addresses only).
OTHER_LOOPBACK = "127.0.0.2"
#: A documentation address (RFC 5737): used only in generated configuration, never contacted.
ROUTABLE = "198.51.100.7"


def test_monitoring_answers_only_on_loopback(tmp_path: Path) -> None:
    host = OTHER_LOOPBACK
    layout = make_layout(tmp_path / "fab", tmp_path / "keys", host=host)
    fabric = LocalFabric(tmp_path / "fab", layout)
    usa = fabric.servers["USA"]
    assert '\nhttp: "127.0.0.1:' in (tmp_path / "fab" / "USA.conf").read_text()
    try:
        fabric.start_one("USA")
        port = layout.servers["USA"].http_port
        assert _http_ok("127.0.0.1", port)
        assert not _http_ok(host, port)
    finally:
        usa.stop()


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie, exited but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _up(directory: Path) -> subprocess.Popen[str]:
    """``trilink fabric up --dir directory`` as a service manager would run it."""
    trilink = Path(sys.executable).parent / "trilink"
    return subprocess.Popen(
        [str(trilink), "fabric", "up", "--dir", str(directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_up(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()  # printed once every server answers and the links are up
    assert line.startswith("fabric up:"), (line, proc.stderr.read() if proc.stderr else "")
    return line


def _children(pid: int) -> set[int]:
    """The processes ``pid`` started (Linux ``/proc``)."""
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(c) for c in text.split()}


def _server_pids(directory: Path) -> dict[str, int]:
    return {p.stem: int(p.read_text()) for p in sorted(directory.glob("*.pid"))}


def _stop_all(proc: subprocess.Popen[str], children: set[int], sig: signal.Signals) -> list[int]:
    """Signal ``proc`` and return those of its processes still alive once it exited; whatever
    happens, leave none of them behind."""
    try:
        proc.send_signal(sig)
        proc.wait(timeout=60)
        return [pid for pid in children if _alive(pid)]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_fabric_up_stops_its_servers_on_signal(tmp_path: Path, sig: signal.Signals) -> None:
    directory = tmp_path / "fab"
    main(["fabric", "config", "--out", str(directory)])
    first = _up(directory)
    children: set[int] = set()
    try:
        _wait_up(first)
        children = _children(first.pid)
        assert len(children) == 3 and all(_alive(pid) for pid in children)
    finally:
        left = _stop_all(first, children, sig)
    # Every server it started was gone with it (before the cleanup above killed any).
    assert left == []
    assert first.returncode == 0
    assert _server_pids(directory) == {}
    # A stale pid file (its process gone) does not stop the next run on the directory.
    (directory / "KOR.pid").write_text(f"{min(children)}\n")
    second = _up(directory)
    children = set()
    try:
        _wait_up(second)
        children = _children(second.pid)
        pids = _server_pids(directory)
        assert set(pids.values()) == children and sorted(pids) == ["JPN", "KOR", "USA"]
        # A third run while those servers live: one line, exit 2, and they keep running.
        third = _up(directory)
        _, err = third.communicate(timeout=60)
        assert third.returncode == 2
        assert err.count("\n") == 1 and err.startswith("trilink: error: nats-server ")
        assert "already runs" in err
        assert all(_alive(pid) for pid in children)
    finally:
        left = _stop_all(second, children, sig)
    assert left == []


def _plain_server(tmp_path: Path, host: str, password: str) -> NatsServer:
    """A server without TLS (an impostor, or a misconfigured one) taking the node's password."""
    port, http = free_port(host), free_port()
    conf = tmp_path / "plain.conf"
    conf.write_text(
        f'listen: "{host}:{port}"\nhttp: "127.0.0.1:{http}"\n'
        f'authorization {{ user: node, password: "{password}" }}\n'
    )
    srv = NatsServer("plain", conf, tmp_path / "plain.log", host, port, http)
    srv.start()
    return srv


def test_client_tls_is_required_off_loopback(tmp_path: Path) -> None:
    # Configuration only: the address is never contacted.
    out = tmp_path / "fab"
    servers = [
        f"--server={n}={ROUTABLE}:{4222 + i}:{7422 + i}:{8222 + i}" for i, n in enumerate(NATIONS)
    ]
    main(["fabric", "config", "--out", str(out), *servers])
    conf = (out / "USA.conf").read_text()
    listen = conf.index(f'listen: "{ROUTABLE}:')
    assert "tls {" in conf[listen : conf.index("leafnodes")]
    assert 'http: "127.0.0.1:' in conf
    cfg = load_node_config(out / "USA-node.toml", "USA")
    assert cfg.client_tls and cfg.ca_file.endswith("USA-ca.pem")


async def test_client_port_takes_only_tls_and_node_refuses_plaintext(tmp_path: Path) -> None:
    host = "127.0.0.1"
    out = tmp_path / "fab"
    main(["fabric", "config", "--out", str(out), "--host", host, "--client-tls"])
    cfg = load_node_config(out / "USA-node.toml", "USA")
    assert cfg.client_tls and cfg.ca_file.endswith("USA-ca.pem")
    fabric = LocalFabric(out, regenerate=False)
    usa = fabric.servers["USA"]
    plain: NatsServer | None = None
    try:
        fabric.start_one("USA")
        # A client without TLS, even with the node's password, is refused.
        assert await _refused(cfg.url, user="node", password=cfg.password)
        # The node connects, over TLS checked against its own CA.
        node = Node(cfg)
        await node.start(connect_timeout=10)
        try:
            assert node.nc is not None and is_tls(node.nc)
            assert node.nc_state is not None and is_tls(node.nc_state)
        finally:
            await node.stop()
        # A server offering no TLS at that address: the node refuses it rather than log in.
        usa.stop()
        plain = _plain_server(tmp_path, host, cfg.password)
        plain_cfg = msgspec.structs.replace(
            cfg, url=f"nats://{host}:{plain.port}", store=str(tmp_path / "plain.sqlite")
        )
        with pytest.raises(TrilinkError):
            await Node(plain_cfg).start(connect_timeout=3)
        conns = plain.monitor("connz?state=all&auth=1").get("connections") or []
        assert [c for c in conns if c.get("authorized_user") == "node"] == []
    finally:
        usa.stop()
        if plain is not None:
            plain.stop()


def test_secrets_files_per_site_hold_only_that_sites_secrets(tmp_path: Path) -> None:
    # Plain leaf links (loopback only) are the ones with link passwords.
    out, secrets = tmp_path / "fab", tmp_path / "secrets"
    main(["fabric", "config", "--out", str(out), "--no-tls", "--secrets-dir", str(secrets)])
    files = {n: json.loads((secrets / f"{n}.secrets.json").read_text()) for n in NATIONS}
    assert set(files["USA"]) == {"USA.node", "KOR.leaf", "JPN.leaf"}
    assert set(files["KOR"]) == {"KOR.node", "KOR.leaf", "KOR-JPN.leaf"}
    assert set(files["JPN"]) == {"JPN.node", "JPN.leaf", "KOR-JPN.leaf"}
    assert all((secrets / f"{n}.secrets.json").stat().st_mode & 0o077 == 0 for n in NATIONS)
    # A link's two ends hold the same secret.
    assert files["KOR"]["KOR-JPN.leaf"] == files["JPN"]["KOR-JPN.leaf"]
    assert files["USA"]["KOR.leaf"] == files["KOR"]["KOR.leaf"]
    before = {n: (out / f"{n}.conf").read_text() for n in NATIONS}
    nodes = {n: (out / f"{n}-node.toml").read_text() for n in NATIONS}
    layout = load_layout(out)
    servers = [
        f"--server={n}={s.host}:{s.client_port}:{s.leaf_port}:{s.http_port}"
        for n, s in layout.servers.items()
    ]
    for n in NATIONS:
        (out / f"{n}.conf").unlink()
        # The other sites' files are not there: a site's config reads only its own.
        others = [secrets / f"{o}.secrets.json" for o in NATIONS if o != n]
        for o in others:
            o.rename(o.with_suffix(".away"))
        try:
            main(["fabric", "config", "--out", str(out), "--no-tls", "--secrets-dir", str(secrets),
                  "--nation", n, *servers])  # fmt: skip
        finally:
            for o in others:
                o.with_suffix(".away").rename(o)
        assert (out / f"{n}.conf").read_text() == before[n]
        assert (out / f"{n}-node.toml").read_text() == nodes[n]
        assert json.loads((secrets / f"{n}.secrets.json").read_text()) == files[n]
    # The regenerated configs link up.
    fabric = LocalFabric(out, regenerate=False)
    try:
        fabric.start()
        assert fabric.links_up()
    finally:
        fabric.stop()
    # A secrets file with another site's secret is refused in one line.
    (secrets / "USA.secrets.json").write_text(json.dumps({**files["USA"], **files["KOR"]}))
    with pytest.raises(SystemExit) as exit_:
        main(["fabric", "config", "--out", str(out), "--no-tls", "--secrets-dir", str(secrets)])
    assert exit_.value.code == 2


def test_no_tls_refused_off_loopback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["fabric", "config", "--out", str(tmp_path), "--no-tls",
              "--server", "KOR=kor.example:4222:7422:8222"])  # fmt: skip
    assert exit_.value.code == 2
    assert "clients need TLS there" in capsys.readouterr().err


def _rogue_leaf(tmp_path: Path, fabric: LocalFabric, cert: str | None) -> NatsServer:
    """A server soliciting the hub's leaf port with ``cert`` (a nation's), or with none."""
    hub = fabric.layout.servers["USA"]
    keys = Path(str(fabric.layout.keys_dir))
    tls = f'ca_file: "{fabric.directory / "trust-bundle.pem"}"'
    if cert:
        pem, key = keys / f"{cert}-server.pem", keys / f"{cert}-server.key"
        tls += f', cert_file: "{pem}", key_file: "{key}"'
    port, http = free_port(), free_port()
    name = f"rogue-{cert or 'nocert'}"
    conf = tmp_path / f"{name}.conf"
    conf.write_text(
        f'server_name: {name}\nlisten: "127.0.0.1:{port}"\nhttp: "127.0.0.1:{http}"\n'
        f'leafnodes {{ reconnect: "1s", remotes: [{{ urls: ["nats-leaf://{hub.host}:'
        f'{hub.leaf_port}"], tls {{ {tls} }} }}] }}\n'
    )
    srv = NatsServer(name, conf, tmp_path / f"{name}.log", "127.0.0.1", port, http)
    srv.start()
    return srv


@pytest.mark.parametrize("cert", [None, "USA"])
def test_leaf_link_needs_a_link_certificate(
    tmp_path: Path, fab: LocalFabric, cert: str | None
) -> None:
    """A server linking to the hub without a certificate, or with a trusted one that is no
    link's (the hub's own), gets no link; the hub still has exactly its two spokes."""
    hub = fab.servers["USA"]
    rogue = _rogue_leaf(tmp_path, fab, cert)
    try:
        log = tmp_path / f"rogue-{cert or 'nocert'}.log"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and "error" not in log.read_text().lower():
            time.sleep(0.05)
        assert "error" in log.read_text().lower()
        assert hub.leaf_accounts() == ["JPN", "KOR"]
        assert rogue.monitor("leafz").get("leafs") in (None, [])
    finally:
        rogue.stop()
