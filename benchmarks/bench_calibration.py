"""Calibration study of the 95 % impact ellipse: ≥ 200 seeded runs per class (catalogue missiles
flown by :mod:`trilink.physics`, boosters separating), coverage,
impact-point error and ellipse size vs time since launch. Prints JSON; writes a table (Markdown)
and a PNG next to ``--out`` (default ``out/calibration``).

Run: ``.venv/bin/python benchmarks/bench_calibration.py [--runs 200] [--out out/calibration]``.

The ellipse correction (:mod:`trilink.assess.ellipse_scale`) is fitted on one seed set and
checked on another: every run also writes ``<out>.samples.json`` (per class and report time the
uncorrected per-axis z²); ``--fit-from A.samples.json [B.samples.json ...]`` fits the table from
such files (no flights) and prints it. Calibration set ``--seed 1``, check set ``--seed 2``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from trilink.assess.calibration import calibrate
from trilink.assess.ellipse_scale import REPORT_S, fit_scales


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--out", default="out/calibration")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--classes", default="SRBM,MRBM", help="comma list: SRBM,MRBM,IRBM,ICBM")
    ap.add_argument("--fit-from", nargs="*", help="fit the ellipse table from samples files")
    args = ap.parse_args()
    if args.fit_from:
        samples: dict[str, dict[float, list[tuple[float, float]]]] = {}
        for f in args.fit_from:
            for cls, per in json.loads(Path(f).read_text(encoding="utf-8")).items():
                dst = samples.setdefault(cls, {})
                for s, rows in per.items():
                    dst.setdefault(float(s), []).extend((a, b) for a, b in rows)
        minor, table = fit_scales(samples)
        print(json.dumps({"minor": minor, "major": table}))
        return
    report = REPORT_S
    results = [
        calibrate(c, runs=args.runs, seed=args.seed, report_s=report)
        for c in args.classes.split(",")
    ]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "| profile | after burnout s | since launch s | runs | coverage | median error m | "
        "median 95% semi-major m | mean d² (2 ideal) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for r in results:
        d = r.as_dict()
        for row in d["rows"]:
            lines.append(
                f"| {r.cls} | {row['after_burnout_s']:.0f} | {row['since_launch_s']:.0f} | "
                f"{row['n']} | {row['coverage']:.3f} | {row['median_err_m']:.0f} | "
                f"{row['median_ellipse_major_m']:.0f} | {row['mean_d2']:.2f} |"
            )
        ax[0].plot(r.t_since_launch_s, r.median_err_m, "o-", label=f"{r.cls} median error")
        ax[0].plot(r.t_since_launch_s, r.median_major_m, "s--", label=f"{r.cls} 95% semi-major")
        ax[1].plot(r.t_since_launch_s, r.coverage, "o-", label=r.cls)
    ax[0].set_yscale("log")
    ax[0].set_xlabel("time since launch [s]")
    ax[0].set_ylabel("metres")
    ax[0].legend()
    ax[1].axhspan(0.93, 0.97, color="0.85", label="target band")
    ax[1].set_ylim(0.8, 1.0)
    ax[1].set_xlabel("time since launch [s]")
    ax[1].set_ylabel("fraction inside the 95 % ellipse")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(out.with_suffix(".png"), dpi=100)
    out.with_suffix(".samples.json").write_text(
        json.dumps({r.cls: {str(k): v for k, v in r.samples.items()} for r in results}),
        encoding="utf-8",
    )
    out.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(json.dumps([r.as_dict() for r in results]))


if __name__ == "__main__":
    main()
