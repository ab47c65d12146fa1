"""Tracker benchmark: trilink vs Stone Soup 1.9.1 on 10- and 100-target salvos, plus trilink alone
on a 100-target salvo with 10 Hz radars (real-time factor). Prints one JSON object.

Stone Soup on the full 100-target salvo takes ~30 minutes, so by default both trackers get the
first 20,000 plots of it (``--full`` runs it all).
Run: ``.venv/bin/python benchmarks/bench_tracker.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys


def bench(*args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "trilink.cli", "bench", "tracker", "--json", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    full = "--full" in sys.argv
    results = {
        "salvo_10": bench("--targets", "10"),
        "salvo_100": bench("--targets", "100", *([] if full else ["--max-plots", "20000"])),
        "salvo_100_10hz_trilink": bench(
            "--targets", "100", "--rate-hz", "10", "--duration", "400", "--no-stonesoup"
        ),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
