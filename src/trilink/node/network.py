"""The three nations' servers and node configs on one machine (the demo and scenario runs)."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from trilink.fabric.agreements import AgreementBook
from trilink.fabric.local import LocalFabric, make_layout
from trilink.fabric.natsconf import write_node_configs
from trilink.node.config import NodeConfig, load_node_config

__all__ = ["local_network", "run_dir", "start_local_network"]


def start_local_network(
    root: Path, *, gsomia: bool, by: str
) -> tuple[LocalFabric, dict[str, NodeConfig]]:
    """Keys, agreements (GSOMIA suspended unless ``gsomia``), server and node configs under
    ``root``; the servers started on loopback. The caller stops the returned fabric."""
    agreements = root / "agreements"
    book = AgreementBook(state_dir=agreements)
    if not gsomia:
        book.set_state("GSOMIA", "suspended", by=by, reason=f"{by} without GSOMIA")
    layout = make_layout(root / "fabric", root / "keys")
    layout.direct_enabled = book.in_force("GSOMIA")
    fab = LocalFabric(root / "fabric", layout)
    fab.start()
    paths = write_node_configs(layout, root, agreements)
    return fab, {n: load_node_config(p, n) for n, p in paths.items()}


@contextlib.contextmanager
def local_network(
    root: Path, *, gsomia: bool, by: str
) -> Iterator[tuple[LocalFabric, dict[str, NodeConfig]]]:
    """:func:`start_local_network`, its fabric stopped on leaving."""
    fab, configs = start_local_network(root, gsomia=gsomia, by=by)
    try:
        yield fab, configs
    finally:
        fab.stop()


@contextlib.contextmanager
def run_dir(path: Path | None, prefix: str) -> Iterator[Path]:
    """``path``, created if missing; or, if None, a temporary directory (name starting
    ``prefix``) removed on leaving."""
    if path is not None:
        root = Path(path)
        root.mkdir(parents=True, exist_ok=True)
        yield root
        return
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        yield Path(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
