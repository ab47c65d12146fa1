"""Build the territorial-sea and EEZ lines the node web app draws (``src/trilink/web/data``).

Run after the areas change: ``.venv/bin/python tools/build_web_zones.py``. The lines come from
``AreaIndex.zone_geometry`` (map grade, about one grid cell), so the file is derived data.
"""

from __future__ import annotations

import json
from pathlib import Path

from trilink.web.layers import ZONES_FILE, build_zone_layer

__all__: list[str] = []

OUT = Path(__file__).resolve().parents[1] / "src" / "trilink" / "web" / "data" / ZONES_FILE


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(build_zone_layer(), separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
