"""Print the markdown table of scenario-run outcomes (docs/warnings.md) from run directories.

Usage: ``.venv/bin/python tools/warning_table.py OUT_DIR [OUT_DIR ...]`` where each OUT_DIR was
written by ``trilink scenario run NAME --out OUT_DIR``. Figures in brackets are the same nation
alone (without its partners' data).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _s(v: object) -> str:
    return "–" if v is None else f"{v:.0f}" if isinstance(v, float) else str(v)


def _pair(shared: object, alone: object) -> str:
    return f"{_s(shared)} ({_s(alone)})"


def _truth(sc: dict[str, Any]) -> str:
    """Each truth area: reached s; first warned s (alone); ✗ when not warned as it was reached."""
    cells = []
    for a, t in sc["truth"].items():
        mark = "" if t["warned_when_reached"] else " ✗"
        mark_alone = "" if t["warned_when_reached_alone"] else " ✗"
        cells.append(
            f"{a}: {_s(t['reached_s'])}; {_s(t['warned_s'])}{mark} "
            f"({_s(t['warned_alone_s'])}{mark_alone})"
        )
    return "<br>".join(cells) or "–"


def _extra(codes: list[str], limit: int = 6) -> str:
    if not codes:
        return "0"
    shown = ", ".join(codes[:limit]) + (", …" if len(codes) > limit else "")
    return f"{len(codes)}: {shown}"


def main(dirs: list[str]) -> None:
    print(
        "| scenario | nation | launch notice s (alone) | first area warning s (alone) | gain s "
        "| truth area: reached s; first warned s (alone) | recall (alone) | extra areas (alone) "
        "| final impact |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for d in dirs:
        tl = json.loads((Path(d) / "timeline.json").read_text())
        rep = json.loads((Path(d) / "report.json").read_text())
        for n, rec in tl["nations"].items():
            sc = rep["nations"][n]
            fi = rec["final_impact"]
            impact = "–" if fi is None else f"{fi['zone']} {fi['nation'] or ''} {fi['area'] or ''}"
            print(
                f"| {tl['scenario']} | {n} "
                f"| {_pair(rec['first_launch_notice_s'], sc['first_launch_notice_alone_s'])} "
                f"| {_pair(rec['first_area_warning_s'], rec['first_area_warning_alone_s'])} "
                f"| {_s(sc['sharing_gain_s'])} | {_truth(sc)} "
                f"| {sc['recall']:.2f} ({sc['recall_alone']:.2f}) "
                f"| {_extra(sc['extra_areas'])} ({len(sc['extra_areas_alone'])}) "
                f"| {impact.strip()} |"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
