"""Print the markdown table of scenario-run outcomes (docs/warnings.md) from run directories.

Usage: ``.venv/bin/python tools/warning_table.py OUT_DIR [OUT_DIR ...]`` where each OUT_DIR was
written by ``trilink scenario run NAME --out OUT_DIR``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _s(v: object) -> str:
    return "–" if v is None else f"{v:.0f}" if isinstance(v, float) else str(v)


def main(dirs: list[str]) -> None:
    print(
        "| scenario | nation | first notice s | first area warning s | alone s | gain s "
        "| truth areas (reached s) | warned | recall | extra | final impact |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for d in dirs:
        tl = json.loads((Path(d) / "timeline.json").read_text())
        rep = json.loads((Path(d) / "report.json").read_text())
        for n, rec in tl["nations"].items():
            sc = rep["nations"][n]
            truth = ", ".join(f"{a} ({t:.0f})" for a, t in sc["truth_areas"].items()) or "–"
            fi = rec["final_impact"]
            impact = "–" if fi is None else f"{fi['zone']} {fi['nation'] or ''} {fi['area'] or ''}"
            print(
                f"| {tl['scenario']} | {n} | {_s(rec['first_launch_notice_s'])} "
                f"| {_s(rec['first_area_warning_s'])} | {_s(rec['first_area_warning_alone_s'])} "
                f"| {_s(sc['sharing_gain_s'])} | {truth} | {', '.join(rec['areas_warned']) or '–'} "
                f"| {sc['recall']:.2f} | {len(sc['extra_areas'])} | {impact.strip()} |"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
