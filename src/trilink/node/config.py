"""Node configuration (TOML), written per nation by ``trilink fabric config``."""

from __future__ import annotations

import tomllib
from pathlib import Path

import msgspec

from trilink import NATIONS, TrilinkError

__all__ = ["NodeConfig", "load_node_config"]


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
    #: Partners' state waits on this node's server in one in-memory stream per origin, at most
    #: this many messages, bytes and seconds old; past them the server discards the oldest
    #: (counted and audited as ``stream_limit`` drops). State is latest-wins: old state is
    #: worth nothing, and a flood pushes out only its own origin's messages. 2,500 messages
    #: are 5 s of the pull rate below (a flood delays its own origin's state by at most that)
    #: and over 10 s of a partner's real state.
    state_stream_msgs: int = 2_500
    state_stream_bytes: int = 32 * 1024 * 1024
    state_max_age_s: float = 10.0
    #: State messages a second pulled and checked per origin (a token bucket; 0: no limit). A
    #: partner's batched state is some 50-200 messages a second (20 ms batches of up to 64
    #: reports, heartbeats, relay work at the hub): 500 leaves room for bursts while a flood
    #: costs at most 500 signature checks a second, well under a tenth of one core.
    state_rate_per_origin: float = 500.0
    state_burst_per_origin: float = 1000.0
    #: Events held unprocessed in the inbound stream per subject (leg, origin, kind): past it
    #: the server refuses new ones and the sender's spool retries them, so a flood is bounded
    #: on disk and delays real events by at most this backlog.
    stream_msgs_per_subject: int = 2000
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
