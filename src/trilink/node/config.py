"""Node configuration (TOML), written per nation by ``trilink fabric config``."""

from __future__ import annotations

import tomllib
from pathlib import Path

import msgspec

from trilink import NATIONS, TrilinkError
from trilink.fabric.natsconf import FabricLayout
from trilink.wire.keys import key_files

__all__ = ["NodeConfig", "load_node_config", "write_node_configs"]


class NodeConfig(msgspec.Struct, forbid_unknown_fields=True):
    """Everything a node needs to run."""

    nation: str
    url: str
    password: str
    keys_dir: str
    agreements_dir: str
    store: str
    user: str = "node"
    hub: str = "USA"
    heartbeat_s: float = 2.0
    publish_timeout_s: float = 2.0
    #: Track reports are batched this long under one signature (0: one envelope per report).
    track_batch_ms: float = 20.0
    #: How often own and partner tracks are fused into the node's picture (0: only on demand).
    fuse_every_s: float = 1.0
    #: Own sensor names the guard must never let out (beyond per-item provenance).
    sensitive_terms: list[str] = msgspec.field(default_factory=list)
    #: TLS to the server even on loopback (always required elsewhere).
    client_tls: bool = False
    #: The nation's own CA, which the server's certificate must chain to.
    ca_file: str = ""

    def __post_init__(self) -> None:
        if self.nation not in NATIONS or self.hub not in NATIONS:
            raise ValueError(f"nation and hub must be in {NATIONS}")


def load_node_config(path: Path, nation: str | None = None) -> NodeConfig:
    """Read a node config; relative paths are taken from the config file's directory."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        cfg = msgspec.convert(raw, NodeConfig)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TrilinkError(f"{path}: cannot read node config: {exc}") from None
    except (msgspec.ValidationError, ValueError) as exc:
        raise TrilinkError(f"{path}: bad node config: {exc}") from None
    if nation is not None and cfg.nation != nation:
        raise TrilinkError(f"{path} is the config of {cfg.nation}, not {nation}")
    base = path.parent
    for field in ("keys_dir", "agreements_dir", "store", "ca_file"):
        if not getattr(cfg, field):
            continue
        value = Path(getattr(cfg, field))
        if not value.is_absolute():
            setattr(cfg, field, str(base / value))
    return cfg


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml(v: str | bool) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else _toml_str(v)


def write_node_configs(
    layout: FabricLayout, out_dir: Path, agreements_dir: Path, nations: list[str] | None = None
) -> dict[str, Path]:
    """Write ``<N>-node.toml`` for every nation of the layout (or only ``nations``)."""
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
        path.chmod(0o600)
        out[nation] = path
    return out
