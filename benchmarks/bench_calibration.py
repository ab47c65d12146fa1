"""Calibration study of the 95 % impact ellipse: seeded runs per class (catalogue missiles flown
by :mod:`trilink.physics`, boosters separating), coverage, impact-point error and ellipse size vs
time since launch, and the launch point's coverage. Prints JSON; writes a table (Markdown), a PNG,
the fit samples and every assessed cell next to ``--out`` (default ``out/calibration``).

Run: ``.venv/bin/python benchmarks/bench_calibration.py [--runs 2000] [--seed 3] [--workers 2]``
(the defaults: the check set, ≈ 7 min on 2 cores).

The ellipse correction (:mod:`trilink.assess.ellipse_scale`) is fitted on one seed set and
checked on another: every run also writes ``<out>.samples.json`` (per class and report time the
uncorrected per-axis z²) and ``<out>.cells.json`` (every assessed run, with the class and time
since burnout the table was looked up at); ``--fit-cells A.cells.json [B.cells.json ...]`` fits the
table from such files as looked up at run time (no flights) and prints it (``--fit-from`` fits
per cell from samples only). Fit sets ``--seed 1`` and ``--seed 2``, check set ``--seed 3`` (run r
of seed s flies seed 100,003·s + r: the sets are disjoint below 100,003 runs).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from trilink.assess.ellipse_scale import (
    REPORT_S,
    FitSample,
    applied_factors,
    fit_scales,
    refine_scales,
)
from trilink.bench.calibration import CalibrationResult, calibrate

K95_2D_D2 = -2.0 * math.log(0.05)  # χ²₂(0.95): d² inside the 95 % ellipse


def _fit(files: list[str]) -> None:
    samples: dict[str, dict[float, list[tuple[float, float]]]] = {}
    for f in files:
        for cls, per in json.loads(Path(f).read_text(encoding="utf-8")).items():
            dst = samples.setdefault(cls, {})
            for s, rows in per.items():
                dst.setdefault(float(s), []).extend((a, b) for a, b in rows)
    minor, table = fit_scales(samples)
    print(json.dumps({"minor": minor, "major": table}))


def _fit_samples(path: str) -> list[FitSample]:
    out = []
    for cls, cells in json.loads(Path(path).read_text(encoding="utf-8")).items():
        for c in cells:
            est = c["since_burnout_est_s"]
            out.append(
                FitSample(
                    cls,
                    float(c["after_burnout_s"]),
                    c["cls"],
                    math.nan if est is None else float(est),
                    c["z2_major"],
                    c["z2_minor"],
                )
            )
    return out


def _fit_cells(files: list[str], check: list[str]) -> None:
    """Fit per cell (as ``--fit-from``), then refine with the table looked up as at run time;
    report the as-applied coverage per cell of every fit and check file."""
    fit = [f for path in files for f in _fit_samples(path)]
    samples: dict[str, dict[float, list[tuple[float, float]]]] = {}
    for f in fit:
        samples.setdefault(f.cls, {}).setdefault(f.report_s, []).append((f.z2_major, f.z2_minor))
    minor0, major0 = fit_scales(samples)
    minor, major = refine_scales(fit, minor0, major0)
    coverage: dict[str, dict[str, list[float]]] = {}
    for path in [*files, *check]:
        rows = _fit_samples(path)
        fmin, fmaj = applied_factors(
            minor, major, [r.est_cls for r in rows], np.array([r.est_since_burnout_s for r in rows])
        )
        d2 = (
            np.array([r.z2_major for r in rows]) / fmaj
            + np.array([r.z2_minor for r in rows]) / fmin
        )
        cov = coverage.setdefault(path, {})
        for c in REPORT_S:
            cov[c] = [
                round(float(np.mean(d2[m] <= K95_2D_D2)), 4)
                for s in REPORT_S[c]
                if (m := np.array([r.cls == c and r.report_s == s for r in rows])).any()
            ]
    print(json.dumps({"minor": minor, "major": major, "as_applied_coverage": coverage}))


def _table(results: list[CalibrationResult]) -> list[str]:
    lines = [
        "| class | after burnout s | since launch s | runs assessed | coverage | "
        "median error km | median 95% semi-major km | mean d² (2 ideal) | "
        "launch-point coverage | median launch error km | median launch σ km |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for row in r.as_dict()["rows"]:
            lines.append(
                f"| {r.cls} | {row['after_burnout_s']:.0f} | {row['since_launch_s']:.0f} | "
                f"{row['n']} | {100 * row['coverage']:.1f} % | "
                f"{row['median_err_m'] / 1e3:.2f} | {row['median_ellipse_major_m'] / 1e3:.2f} | "
                f"{row['mean_d2']:.2f} | {100 * row['launch_coverage']:.1f} % | "
                f"{row['median_launch_err_m'] / 1e3:.2f} | "
                f"{row['median_launch_sigma_m'] / 1e3:.2f} |"
            )
    return lines


def _plot(results: list[CalibrationResult], path: Path) -> None:
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    for r in results:
        (line,) = ax[0].plot(r.t_since_launch_s, r.median_err_m, "o-", label=f"{r.cls} error")
        ax[0].plot(
            r.t_since_launch_s,
            r.median_major_m,
            "s--",
            color=line.get_color(),
            label=f"{r.cls} 95% semi-major",
        )
        ax[1].plot(r.t_since_launch_s, r.coverage, "o-", color=line.get_color(), label=r.cls)
    ax[0].set_yscale("log")
    ax[0].set_xlabel("time since launch [s]")
    ax[0].set_ylabel("median impact error / ellipse [m]")
    ax[0].legend(fontsize=7, ncol=2)
    ax[1].axhspan(0.93, 0.97, color="0.85", label="target band")
    ax[1].axhline(0.95, color="0.5", lw=0.8)
    ax[1].set_ylim(0.85, 1.0)
    ax[1].set_xlabel("time since launch [s]")
    ax[1].set_ylabel("fraction inside the 95 % ellipse")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--out", default="out/calibration")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--classes", default="SRBM,MRBM,IRBM,ICBM", help="comma list")
    ap.add_argument("--workers", type=int, default=2, help="processes (≤ 2 on a shared box)")
    ap.add_argument("--fit-from", nargs="*", help="fit the ellipse table from samples files")
    ap.add_argument(
        "--fit-cells",
        nargs="*",
        help="fit the ellipse table from cells files, as looked up at run time (preferred)",
    )
    ap.add_argument("--check-cells", nargs="*", default=[], help="with --fit-cells: check sets")
    args = ap.parse_args()
    if args.fit_cells:
        _fit_cells(args.fit_cells, args.check_cells)
        return
    if args.fit_from:
        _fit(args.fit_from)
        return
    results = []
    wall: dict[str, float] = {}
    for c in args.classes.split(","):
        t0 = time.perf_counter()
        results.append(calibrate(c, runs=args.runs, seed=args.seed, workers=args.workers))
        wall[c] = round(time.perf_counter() - t0, 1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _plot(results, out.with_suffix(".png"))
    out.with_suffix(".samples.json").write_text(
        json.dumps({r.cls: {str(k): v for k, v in r.samples.items()} for r in results}),
        encoding="utf-8",
    )
    out.with_suffix(".cells.json").write_text(
        json.dumps({r.cls: [dataclasses.asdict(c) for c in r.cells] for r in results}),
        encoding="utf-8",
    )
    out.with_suffix(".md").write_text("\n".join(_table(results)) + "\n", encoding="utf-8")
    print(
        json.dumps({"seed": args.seed, "wall_s": wall, "results": [r.as_dict() for r in results]})
    )


if __name__ == "__main__":
    main()
