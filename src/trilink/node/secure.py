"""TLS on a node's connection to its own server: required unless the server is on loopback.

nats-py upgrades to TLS only when the server's INFO asks for it, and sends the password right
after: given a TLS context, it would still log in in plaintext to a server (or an impostor) that
offers no TLS. So the node starts TLS before the server says anything (``handshake_first``, which
the generated server configs enable) and checks the connection it got is TLS before using it.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import urlparse

from nats.aio.client import Client

from trilink import TrilinkError
from trilink.fabric.natsconf import is_loopback
from trilink.node.config import NodeConfig

__all__ = ["connect_options", "is_tls", "require_tls", "tls_required"]


def _host(cfg: NodeConfig) -> str:
    return urlparse(cfg.url).hostname or ""


def tls_required(cfg: NodeConfig) -> bool:
    """TLS is required when asked for, and always off loopback."""
    return cfg.client_tls or not is_loopback(_host(cfg))


def connect_options(cfg: NodeConfig) -> dict[str, Any]:
    """Keyword arguments for ``nats.connect``: TLS verified against the nation's own CA."""
    if not tls_required(cfg):
        return {}
    if not cfg.ca_file:
        raise TrilinkError(
            f"{cfg.nation} node: {cfg.url} needs TLS but the node config has no ca_file "
            "(regenerate it with `trilink fabric config`)"
        )
    try:
        ctx = ssl.create_default_context(cafile=cfg.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise TrilinkError(f"{cfg.nation} node: cannot load ca_file {cfg.ca_file}: {exc}") from None
    return {"tls": ctx, "tls_hostname": _host(cfg), "tls_handshake_first": True}


def is_tls(nc: Client) -> bool:
    """Whether the connection runs over TLS right now."""
    # nats-py has no public accessor for this; its transport keeps the asyncio stream writer.
    writer = getattr(getattr(nc, "_transport", None), "_io_writer", None)
    return writer is not None and writer.get_extra_info("ssl_object") is not None


async def require_tls(nc: Client, cfg: NodeConfig) -> None:
    """Close ``nc`` and refuse it if TLS is required and the connection is not TLS."""
    if tls_required(cfg) and not is_tls(nc):
        await nc.close()
        raise TrilinkError(f"{cfg.nation} node: {cfg.url} answered without TLS; refused")
