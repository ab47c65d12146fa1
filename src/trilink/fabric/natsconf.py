"""Generation of the nations' NATS server configurations.

One server per nation, each its own account and JetStream domain. Spokes (KOR, JPN) solicit a
leaf link to the hub (USA), where each lands in its own per-nation account; a direct link
(KOR⇄JPN) lands in a per-link account on each side and carries its subjects only while GSOMIA is
in force (switched by a config reload, the link stays up). Accounts
exchange exactly the subjects a link may carry as service exports/imports (so JetStream publish
acks flow back automatically), which makes the servers refuse, independently of the nodes, to
deliver to a nation anything but the subjects addressed to it on an allowed leg.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from trilink import NATIONS, TrilinkError
from trilink.fabric.server import MONITOR_HOST
from trilink.wire.keys import key_files, server_subject, trust_bundle

__all__ = [
    "FabricLayout",
    "ServerSpec",
    "generate",
    "is_loopback",
    "load_layout",
    "node_permissions",
    "server_config",
    "write_node_configs",
    "site_secrets",
]

LAYOUT_FILE = "fabric.json"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (a name other than ``localhost`` is not)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


@dataclass
class ServerSpec:
    """Where one nation's server listens."""

    nation: str
    host: str = "127.0.0.1"
    client_port: int = 4222
    leaf_port: int = 7422
    http_port: int = 8222


@dataclass
class FabricLayout:
    """The whole fabric: servers, hub, direct links, secrets and where the keys live."""

    servers: dict[str, ServerSpec]
    hub: str = "USA"
    #: (listener, solicitor) pairs of possible direct links, e.g. ("KOR", "JPN") for GSOMIA.
    direct: list[tuple[str, str]] = field(default_factory=lambda: [("KOR", "JPN")])
    #: Which direct links exist now (follows the agreements in force).
    direct_enabled: bool = True
    keys_dir: str | None = None
    tls: bool = True
    store_root: str = "jetstream"
    #: TLS on the client port even on loopback (it is always on elsewhere).
    client_tls: bool = False
    passwords: dict[str, str] = field(default_factory=dict)

    def password(self, name: str) -> str:
        if name not in self.passwords:
            self.passwords[name] = secrets.token_hex(16)
        return self.passwords[name]

    def needs_client_tls(self, nation: str) -> bool:
        """Whether nation's client port takes TLS connections only."""
        return self.client_tls or not is_loopback(self.servers[nation].host)

    def secret_owners(self, name: str) -> set[str]:
        """The sites that hold a secret: a node's is its own, a link's is its two ends'."""
        key, kind = name.rsplit(".", 1)
        if kind == "node":
            return {key}
        if kind != "leaf":
            return set()
        if "-" in key:  # a direct link, "<listener>-<solicitor>"
            return set(key.split("-"))
        return {key, self.hub}  # a spoke's link to the hub

    def spokes(self) -> list[str]:
        return [n for n in self.servers if n != self.hub]

    def url(self, nation: str) -> str:
        s = self.servers[nation]
        return f"nats://{s.host}:{s.client_port}"

    def to_json(self) -> str:
        data = asdict(self)
        data["direct"] = [list(p) for p in self.direct]
        return json.dumps(data, indent=2)


def load_layout(directory: Path) -> FabricLayout:
    """Read ``fabric.json`` written by :func:`generate`."""
    path = Path(directory) / LAYOUT_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        servers = {n: ServerSpec(**s) for n, s in raw.pop("servers").items()}
        direct = [(a, b) for a, b in raw.pop("direct")]
        return FabricLayout(servers=servers, direct=direct, **raw)
    except FileNotFoundError:
        raise TrilinkError(
            f"no {LAYOUT_FILE} in {directory} (run `trilink fabric config`)"
        ) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise TrilinkError(f"{path}: bad fabric layout: {exc}") from None


def _q(s: str) -> str:
    return json.dumps(s)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def _exports(subjects: list[str], to: str) -> list[str]:
    return [f"{{service: {_q(s)}, accounts: [{to}]}}" for s in subjects]


def _imports(subjects: list[str], frm: str) -> list[str]:
    return [f"{{service: {{account: {frm}, subject: {_q(s)}}}}}" for s in subjects]


def node_permissions(layout: FabricLayout, nation: str) -> dict[str, list[str]]:
    """What a nation's node may publish and subscribe to on its own server."""
    others = [n for n in layout.servers if n != nation]
    pub = [f"tl.d.{nation}.{o}.>" for o in others]
    sub = [f"tl.*.*.{nation}.>", f"_I.{nation}.>"]
    if nation == layout.hub:
        spokes = layout.spokes()
        pub += [f"tl.r.{a}.{b}.>" for a in spokes for b in spokes if a != b]
        sub += ["tl.h.*.*.>"]
    else:
        pub += [f"tl.h.{nation}.{o}.>" for o in others if o != layout.hub]
    pub += ["$JS.API.>", "$JS.ACK.>"]
    return {"publish": pub, "subscribe": sub}


def _tls_block(
    layout: FabricLayout, nation: str, out_dir: Path, verify: bool, client: bool = False
) -> str:
    if not layout.tls:
        return ""
    if layout.keys_dir is None:
        raise TrilinkError("TLS needs a keys directory (trilink keys init)")
    # Paths only: at one site, only that site's own server key exists (checked when started).
    files = key_files(Path(layout.keys_dir), nation)
    lines = [
        f"cert_file: {_q(str(files.server_cert))}",
        f"key_file: {_q(str(files.server_key))}",
        "timeout: 5",
    ]
    if client:
        # Nodes start TLS before the server says anything, so a plaintext impostor never sees
        # their password.
        lines.append("handshake_first: true")
    else:
        lines.append(f"ca_file: {_q(str(out_dir / 'trust-bundle.pem'))}")
    if verify:
        # A leaf link logs in by its certificate: the user is the certificate's subject.
        lines.append("verify_and_map: true")
    return "tls { " + "\n      ".join(lines) + " }"


def _leaf_user(layout: FabricLayout, peer: str, account: str, secret: str, name: str) -> str:
    """The user a link from ``peer`` logs in as on a leaf listener, bound to ``account``."""
    if layout.tls:
        return f"{{user: {_q(server_subject(peer))}, account: {account}}}"
    return f"{{user: {name}, password: {_q(layout.password(secret))}, account: {account}}}"


def server_config(layout: FabricLayout, nation: str, out_dir: Path) -> str:
    """The nats-server configuration text for one nation."""
    spec = layout.servers[nation]
    hub = layout.hub
    node_pw = layout.password(f"{nation}.node")
    perms = node_permissions(layout, nation)
    node_user = (
        f"{{user: node, password: {_q(node_pw)}, permissions: "
        f"{{publish: {_list(perms['publish'])}, subscribe: {_list(perms['subscribe'])}}}}}"
    )
    accounts: dict[str, dict[str, Any]] = {
        nation: {"jetstream": True, "users": [node_user], "exports": [], "imports": []}
    }
    remotes: list[str] = []
    # Link users live only in the leaf listener's authorization: they cannot log in on the
    # client port, and with TLS they are the partners' certificates, not passwords.
    leaf_users: list[str] = []
    listen_leaf = False
    own = accounts[nation]
    if nation == hub:
        listen_leaf = True
        for s in layout.spokes():
            peers = [t for t in layout.spokes() if t != s]
            to_hub = [f"tl.d.{s}.{hub}.>"] + [f"tl.h.{s}.{t}.>" for t in peers]
            from_hub = [f"tl.d.{hub}.{s}.>"] + [f"tl.r.{t}.{s}.>" for t in peers]
            own["exports"] += _exports(to_hub, s)
            own["imports"] += _imports(from_hub, s)
            leaf_users.append(_leaf_user(layout, s, s, f"{s}.leaf", f"leaf-{s.lower()}"))
            accounts[s] = {
                "jetstream": False,
                "users": [],
                "exports": _exports(from_hub, hub),
                "imports": _imports(to_hub, hub),
            }
    else:
        # The hub link lands in its own account here too: the hub sees only what is addressed to
        # it, whatever interest is expressed from its side.
        peers = [t for t in layout.spokes() if t != nation]
        to_hub = [f"tl.d.{nation}.{hub}.>"] + [f"tl.h.{nation}.{t}.>" for t in peers]
        from_hub = [f"tl.d.{hub}.{nation}.>"] + [f"tl.r.{t}.{nation}.>" for t in peers]
        link = f"LINK_{hub}"
        own["exports"] += _exports(from_hub, link)
        own["imports"] += _imports(to_hub, link)
        accounts[link] = {
            "jetstream": False,
            "users": [],
            "exports": _exports(to_hub, nation),
            "imports": _imports(from_hub, nation),
        }
        h = layout.servers[hub]
        remotes.append(
            _remote(layout, nation, out_dir, h, f"{nation}.leaf", link, f"leaf-{nation.lower()}")
        )
    # The direct link is always configured and stays up; only the subjects it carries follow
    # the agreement. Exports and imports are account settings that a config reload (SIGHUP)
    # applies without dropping connections, so switching GSOMIA restarts no server.
    for listener, solicitor in layout.direct:
        if nation not in (listener, solicitor):
            continue
        peer = solicitor if nation == listener else listener
        link = f"LINK_{peer}"
        carried = layout.direct_enabled
        if carried:
            own["exports"] += _exports([f"tl.d.{peer}.{nation}.>"], link)
            own["imports"] += _imports([f"tl.d.{nation}.{peer}.>"], link)
        secret = f"{listener}-{solicitor}.leaf"
        if nation == listener:
            listen_leaf = True
            leaf_users.append(
                _leaf_user(layout, solicitor, link, secret, f"direct-{solicitor.lower()}")
            )
        else:
            ls = layout.servers[listener]
            remotes.append(
                _remote(
                    layout,
                    nation,
                    out_dir,
                    ls,
                    secret,
                    link,
                    user=f"direct-{solicitor.lower()}",
                )
            )
        accounts[link] = {
            "jetstream": False,
            "users": [],
            "exports": _exports([f"tl.d.{nation}.{peer}.>"], nation) if carried else [],
            "imports": _imports([f"tl.d.{peer}.{nation}.>"], nation) if carried else [],
        }
    store = Path(layout.store_root)
    if not store.is_absolute():
        store = out_dir / store
    lines = [
        f"# trilink fabric: nats-server configuration for {nation} (generated; do not edit)",
        f"server_name: {nation}",
        f"listen: {_q(f'{spec.host}:{spec.client_port}')}",
        f"http: {_q(f'{MONITOR_HOST}:{spec.http_port}')}",
        "max_payload: 1MB",
        f"jetstream {{ domain: {nation}, store_dir: {_q(str(store / nation))}, "
        "max_memory_store: 256MB, max_file_store: 4GB }",
    ]
    if layout.needs_client_tls(nation):
        if not layout.tls:
            raise TrilinkError(
                f"{nation} listens on {spec.host}: clients need TLS there (drop --no-tls)"
            )
        lines.append(_tls_block(layout, nation, out_dir, verify=False, client=True))
    lines.append("accounts {")
    for name, acc in accounts.items():
        lines.append(f"  {name}: {{")
        if acc["jetstream"]:
            lines.append("    jetstream: enabled")
        if acc["users"]:
            lines.append("    users: [\n      " + ",\n      ".join(acc["users"]) + "\n    ]")
        if acc["exports"]:
            lines.append("    exports: [\n      " + ",\n      ".join(acc["exports"]) + "\n    ]")
        if acc["imports"]:
            lines.append("    imports: [\n      " + ",\n      ".join(acc["imports"]) + "\n    ]")
        lines.append("  }")
    lines.append("}")
    leaf = ["leafnodes {"]
    if listen_leaf:
        leaf.append(f"  listen: {_q(f'{spec.host}:{spec.leaf_port}')}")
        tls = _tls_block(layout, nation, out_dir, verify=True)
        if tls:
            leaf.append("  " + tls)
        leaf.append("  authorization { users: [\n    " + ",\n    ".join(leaf_users) + "\n  ] }")
    leaf.append('  reconnect: "1s"')
    if remotes:
        leaf.append("  remotes: [\n" + ",\n".join(remotes) + "\n  ]")
    leaf.append("}")
    return "\n".join(lines + leaf) + "\n"


def _remote(
    layout: FabricLayout,
    nation: str,
    out_dir: Path,
    target: ServerSpec,
    secret_name: str,
    account: str,
    user: str,
) -> str:
    tls = _tls_block(layout, nation, out_dir, verify=False)
    if tls:  # the certificate is the credential
        url = f"nats-leaf://{target.host}:{target.leaf_port}"
    else:
        url = f"nats-leaf://{user}:{layout.password(secret_name)}@{target.host}:{target.leaf_port}"
    body = f"    {{ urls: [{_q(url)}], account: {account}"
    if tls:
        body += "\n      " + tls
    return body + " }"


def site_secrets(layout: FabricLayout, nation: str) -> dict[str, str]:
    """The secrets a site holds: its node password and those of the links it is an end of."""
    return {k: v for k, v in layout.passwords.items() if nation in layout.secret_owners(k)}


def generate(
    layout: FabricLayout, out_dir: Path, nations: list[str] | None = None
) -> dict[str, Path]:
    """Write ``<N>.conf`` per server (or only ``nations``'), the trust bundle and
    ``fabric.json``; return conf paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    unknown = set(layout.servers) - set(NATIONS)
    if unknown or layout.hub not in layout.servers:
        raise TrilinkError(f"bad layout: servers {sorted(layout.servers)}, hub {layout.hub}")
    if layout.tls:
        if layout.keys_dir is None:
            raise TrilinkError("TLS needs --keys DIR made by `trilink keys init`")
        trust_bundle(Path(layout.keys_dir), out_dir / "trust-bundle.pem")
    paths = {}
    for nation in nations or list(layout.servers):
        path = out_dir / f"{nation}.conf"
        path.write_text(server_config(layout, nation, out_dir), encoding="utf-8")
        path.chmod(0o600)  # holds passwords
        paths[nation] = path
    layout_path = out_dir / LAYOUT_FILE
    layout_path.write_text(layout.to_json(), encoding="utf-8")
    layout_path.chmod(0o600)
    return paths


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml(v: str | bool) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else _toml_str(v)


def write_node_configs(
    layout: FabricLayout, out_dir: Path, agreements_dir: Path, nations: list[str] | None = None
) -> dict[str, Path]:
    """Write ``<N>-node.toml`` (read by :func:`trilink.node.config.load_node_config`) for every
    nation of the layout (or only ``nations``)."""
    out: dict[str, Path] = {}
    for nation in nations or list(layout.servers):
        cfg: dict[str, str | bool] = {
            "nation": nation,
            "url": layout.url(nation),
            "user": "node",
            "password": layout.password(f"{nation}.node"),
            "hub": layout.hub,
            "keys_dir": str(layout.keys_dir or Path(out_dir) / "keys"),
            "agreements_dir": str(agreements_dir),
            "store": str(Path(out_dir) / f"{nation}-node.sqlite"),
        }
        if layout.needs_client_tls(nation):
            keys = Path(layout.keys_dir or Path(out_dir) / "keys")
            cfg["client_tls"] = True
            cfg["ca_file"] = str(key_files(keys, nation).ca_cert)
        text = "\n".join(f"{k} = {_toml(v)}" for k, v in cfg.items()) + "\n"
        path = Path(out_dir) / f"{nation}-node.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)  # holds the node's password
        out[nation] = path
    return out
