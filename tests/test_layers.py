"""Imports run one way: no module under ``src/trilink`` imports a package above its own.

Layers, lowest first (each may import the ones listed for it, itself and the ``trilink`` root):
geo ← physics ← sensors ← scenarios ← tracking ← assess ← warning ← node ← exercise;
wire ← fabric ← node;
synthetic (seeded test and benchmark sources) sits above tracking, wire and fabric and below node.
The benchmarks, the CLI, the demonstration, the top-level command modules and the web front end
sit on top and may import anything. The secretariat is apart: it imports nothing of the warning
network (only the scenario model, to validate an exercise's scenario). Lazy imports inside
functions count too: they are dependencies all the same.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__: list[str] = []

SRC = Path(__file__).resolve().parents[1] / "src" / "trilink"

_GEO = {"geo"}
_PHYSICS = _GEO | {"physics"}
_SENSORS = _PHYSICS | {"sensors"}
_SCENARIOS = _SENSORS | {"scenarios"}
_TRACKING = _SCENARIOS | {"tracking"}
_ASSESS = _TRACKING | {"assess"}
_WIRE = {"wire"}
_FABRIC = _WIRE | {"fabric"}
_SYNTHETIC = _TRACKING | _FABRIC | {"synthetic"}
_WARNING = _ASSESS | _WIRE | {"warning"}
_NODE = _WARNING | _SYNTHETIC | {"node"}

#: Package (or top-level module) -> the trilink packages it may import besides itself.
ALLOWED: dict[str, frozenset[str]] = {
    "trilink": frozenset(),  # the root package: version, nations, the error type
    "geo": frozenset(),
    "physics": frozenset(_GEO),
    "sensors": frozenset(_PHYSICS),
    "scenarios": frozenset(_SENSORS),
    "tracking": frozenset(_SCENARIOS),
    "assess": frozenset(_TRACKING),
    "wire": frozenset(),
    "fabric": frozenset(_WIRE),
    "synthetic": frozenset(_TRACKING | _FABRIC),
    "node": frozenset(_NODE - {"node"}),
    # exercises name library scenarios (validated): the scenario model, nothing of the network
    "secretariat": frozenset(_SCENARIOS),
    "warning": frozenset(_ASSESS | _WIRE),
    # scenario runs and their records drive whole nodes
    "exercise": frozenset(_NODE),
}

#: Private helper modules of the root package, which every layer may use.
ROOT_MODULES = {"_lazy": "trilink"}

#: On top: may import anything.
TOP = frozenset({"bench", "cli", "demo", "livedemo", "track_commands", "web"})


def _owner(path: Path) -> tuple[str, str]:
    """(layer name, dotted module name) of a source file."""
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    dotted = ".".join(["trilink", *parts])
    if not parts:
        return "trilink", dotted
    return parts[0], dotted


def _imported(tree: ast.AST, dotted: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every trilink import in a module, nested ones included."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                # Relative import: resolve against the importing module's package.
                pkg = dotted.split(".") if is_package else dotted.split(".")[:-1]
                pkg = pkg[: len(pkg) - (node.level - 1)]
                base = ".".join(pkg + ([base] if base else []))
            if base == "trilink":
                # ``from trilink import tracking`` imports the subpackage; names are root items.
                out += [(node.lineno, f"trilink.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, base))
    return [(line, name) for line, name in out if name == "trilink" or name.startswith("trilink.")]


def _target_layer(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1:
        return "trilink"
    first = parts[1]
    # Names from the root package (``from trilink import NATIONS``) belong to the root.
    if not (SRC / first).is_dir() and not (SRC / f"{first}.py").is_file():
        return "trilink"
    return ROOT_MODULES.get(first, first)


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def violations() -> list[str]:
    """One line per import of a package above the importer's layer."""
    found: list[str] = []
    for path in _modules():
        layer, dotted = _owner(path)
        if layer in TOP:
            continue
        layer = ROOT_MODULES.get(layer, layer)
        allowed = ALLOWED.get(layer)
        if allowed is None:
            found.append(f"{path.relative_to(SRC.parents[1])}: layer {layer!r} is not in the table")
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _imported(tree, dotted, path.name == "__init__.py"):
            target = _target_layer(name)
            if target in (layer, "trilink") or target in allowed:
                continue
            found.append(
                f"{path.relative_to(SRC.parents[1])}:{line}: {dotted} imports {name} "
                f"({layer} may import only {', '.join(sorted(allowed)) or 'nothing of trilink'})"
            )
    return found


def test_every_layer_is_placed() -> None:
    """Every top-level package and module has a row, so a new one must be placed on purpose."""
    names = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    names |= {p.stem for p in SRC.glob("*.py") if p.stem != "__init__"}
    unplaced = sorted(names - set(ALLOWED) - TOP - set(ROOT_MODULES))
    assert not unplaced, f"not in the layer table: {unplaced}"


def test_imports_run_one_way() -> None:
    found = violations()
    assert not found, f"{len(found)} import(s) against the layers:\n" + "\n".join(found)


def test_the_parser_sees_every_import_form() -> None:
    """The parser finds plain, ``from``, relative and nested imports."""
    src = (
        "import trilink.node.node\n"
        "from trilink import tracking\n"
        "from ..assess import assessor\n"
        "def f() -> None:\n"
        "    from trilink.fabric.guard import Outgoing\n"
    )
    got = [n for _, n in _imported(ast.parse(src), "trilink.physics.x", False)]
    assert got == [
        "trilink.node.node",
        "trilink.tracking",
        "trilink.assess",
        "trilink.fabric.guard",
    ]
    assert [_target_layer(n) for n in got] == ["node", "tracking", "assess", "fabric"]
