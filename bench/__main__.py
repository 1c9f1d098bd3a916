"""`make bench`: reuse or generate the data, run every benchmark in its own process, report.

The parent process only orchestrates: it runs no polars query (a fork must not inherit a busy
polars thread pool) and imports neither pandas nor GX, so the forked benchmark processes start
small (a fork inherits the parent's memory).
Ratios are this row's seconds / the seconds of row `ratio_against`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from functools import partial

from bench import feature_baselines, features, fleets, nightly, quality
from bench.data import BenchData, bench_data, cache_root, forget, is_ready, prepare
from bench.harness import BenchResult, measure, report, run_untimed

NAIVE_SLICES = (1_000_000, 4_000_000)  # two sizes: GX has a fixed cost, so fit a line, not a ratio
TARGETS = {
    "gate + cleaning seconds": 30.0,
    "gate + cleaning peak MB": 4096.0,
    "feature readings/s": 10e6,
    "feature speed-up vs pandas": 10.0,
    "feature peak MB": 4096.0,
    "night of 1,000 assets seconds": 60.0,
    "night of 1,000 assets peak MB": 4096.0,
    "night of 1,000 assets, 2 shards seconds": 60.0,
    "night of 1,000 assets, 2 shards peak MB": 4096.0,
    "night cost per reading vs 100 assets": 1.0,  # growing no faster than linearly
}
SIZES = (100, 1000, 5000)


def _linear_fit(slices: list[BenchResult], size: int, name: str) -> BenchResult:
    """Seconds and peak MB at `size` readings from a straight line through the measured slices."""
    (n0, s0, m0), (n1, s1, m1) = [(r.readings, r.seconds, r.peak_mb) for r in slices[:2]]
    at = (size - n0) / (n1 - n0)
    seconds, peak = s0 + (s1 - s0) * at, m0 + (m1 - m0) * at
    note = (
        f"EXTRAPOLATED: straight line through the slices of {n0:,} and {n1:,} rows "
        f"({s0:.1f} s, {s1:.1f} s; {m0:,.0f} MB, {m1:,.0f} MB) to {size:,} rows"
    )
    return BenchResult(name, round(seconds, 1), round(peak), size, round(size / seconds), note=note)


def _compare(row: BenchResult, ours: BenchResult) -> None:
    """A baseline row's time as a multiple of ours: the speed-up of ours over it."""
    row.ratio = round(row.seconds / ours.seconds, 1)
    row.ratio_against = ours.name


def run_all(refresh: bool, only: str | None = None) -> list[BenchResult]:
    """Every benchmark, in order, on the same cached night; or only the quality or feature ones."""
    data = bench_data()
    if refresh:
        forget(data)
    if not is_ready(data):
        print(f"generating benchmark data under {cache_root()} (once; 2 to 6 minutes) ...")
        run_untimed(partial(prepare, data))
    if only == "features":
        return _feature_rows(data)
    gate_rows = measure(
        "1 quality gate + cleaning",
        quality.gate_and_clean,
        setup=partial(quality.gate_inputs, data),
    )
    night_readings = gate_rows[0].readings
    naive_slices = [
        measure(
            f"2 naive GX row-level gate, slice of {n:,} rows",
            quality.naive_gx_gate,
            setup=partial(quality.naive_inputs, data, n),
        )[0]
        for n in NAIVE_SLICES
    ]
    naive = _linear_fit(naive_slices, night_readings, "2 naive GX row-level gate, extrapolated")
    _compare(naive, gate_rows[0])
    naive.note += "; the ratio is against all of benchmark 1 (read, classify, gate, clean)"
    if only == "quality":
        return [*gate_rows, *naive_slices, naive]
    return [*gate_rows, *naive_slices, naive, *_feature_rows(data)]


def _feature_rows(data: BenchData) -> list[BenchResult]:
    """Benchmark 3: ours, then the pandas and sktime baselines on a slice, as ratios to ours."""
    feature_rows = measure(
        "3 features, ours",
        features.nightly_feature_build,
        setup=partial(features.load_inputs, data),
    )
    baselines = [
        measure(
            f"3{tag} {label}, slice of {feature_baselines.SLICE_SERIES} series",
            fn,
            setup=partial(feature_baselines.slice_inputs, data),
        )
        for tag, label, fn in (
            ("a", "pandas groupby-rolling", feature_baselines.pandas_rolling),
            ("b", "sktime WindowSummarizer", feature_baselines.sktime_window_summarizer),
        )
    ]
    for rows in baselines:
        _compare(rows[-1], feature_rows[0])
    return [*feature_rows, *(r for rows in baselines for r in rows)]


def run_nightly(sizes: tuple[int, ...], with_backfill: bool) -> list[BenchResult]:
    """Benchmark 4: the nightly job end to end at each fleet size, and the 30-night backfill."""
    chosen = sorted({*sizes, *((1000,) if with_backfill else ())})
    for assets in chosen:
        if not fleets.ready(fleets.fleet(assets)):
            print(f"preparing the {assets:,}-asset fleet under {fleets.e2e_root()} (once) ...")
        run_untimed(partial(fleets.prepare, fleets.fleet(assets)))
    rows: list[BenchResult] = []
    if with_backfill:  # first: it is also the 1,000-asset night's history
        rows += measure(
            f"4 backfill, {fleets.BACKFILL_NIGHTS} nights of 1,000 assets, one run",
            nightly.backfill,
            setup=partial(nightly.setup, fleets.fleet(1000)),
        )
    for assets in sizes:
        run_untimed(partial(nightly.history, fleets.fleet(assets)))
        rows += measure(
            f"4 night end to end, {assets:,} assets",
            nightly.one_night,
            setup=partial(nightly.setup, fleets.fleet(assets)),
        )
    if 1000 in sizes:  # the same night in two shards: one after another, then side by side
        rows += measure(
            "4 night end to end, 1,000 assets, 2 shards, in process",
            nightly.one_night,
            setup=partial(nightly.setup, fleets.fleet(1000), shards=2),
        )
        rows += measure(
            "4 night end to end, 1,000 assets, 2 shards, 2 processes",
            partial(nightly.one_night, execution=nightly.MULTIPROCESS),
            setup=partial(nightly.setup, fleets.fleet(1000), shards=2),
        )
    _per_reading_ratios(rows)
    return rows


def _per_reading_ratios(rows: list[BenchResult]) -> None:
    """Seconds per reading of each whole-run row over that of the 100-asset night."""
    base = next((r for r in rows if r.name == "4 night end to end, 100 assets"), None)
    if base is None or not base.readings:
        return
    for row in rows:
        if " / " not in row.name and row.readings and row is not base:
            row.ratio = round((row.seconds / row.readings) / (base.seconds / base.readings), 2)
            row.ratio_against = f"{base.name}, per reading"


def check_targets(results: list[BenchResult]) -> list[str]:
    """One line per target of the benchmarks that ran: the figure measured and whether it is met."""
    figures: dict[str, tuple[float, str]] = {}
    gate = next((r for r in results if r.name.startswith("1 ") and " / " not in r.name), None)
    if gate is not None:
        figures["gate + cleaning seconds"] = (gate.seconds, "<=")
        figures["gate + cleaning peak MB"] = (gate.peak_mb, "<=")
    feats = next((r for r in results if r.name.startswith("3 ") and " / " not in r.name), None)
    if feats is not None:
        pandas = next(r for r in results if r.name.startswith("3a") and "extrapolated" in r.name)
        figures["feature readings/s"] = (feats.readings_per_s or 0.0, ">=")
        figures["feature speed-up vs pandas"] = (pandas.ratio or 0.0, ">=")
        figures["feature peak MB"] = (feats.peak_mb, "<=")
    for suffix, label in (("", ""), (", 2 shards, in process", ", 2 shards")):
        name = f"4 night end to end, 1,000 assets{suffix}"
        night = next((r for r in results if r.name == name), None)
        if night:
            figures[f"night of 1,000 assets{label} seconds"] = (night.seconds, "<=")
            figures[f"night of 1,000 assets{label} peak MB"] = (night.peak_mb, "<=")
    # growth with fleet size, one executor: the in-process nights (the multiprocess row is
    # another executor, whose per-step process starts its own note shows)
    largest = [
        r for r in results if r.name.startswith("4 night") and r.ratio and "processes" not in r.name
    ]
    if largest:
        figures["night cost per reading vs 100 assets"] = (max(r.ratio for r in largest), "<=")
    lines = []
    for key, (value, op) in figures.items():
        met = value <= TARGETS[key] if op == "<=" else value >= TARGETS[key]
        lines.append(f"{key:<40} {value:>14,.1f}  target {op} {TARGETS[key]:,.0f}  "
                     f"{'met' if met else 'MISSED'}")  # fmt: skip
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--refresh", action="store_true",
        help="rebuild the cached clean night and level-1 history after cleaning or feature changes",
    )  # fmt: skip
    parser.add_argument(
        "--only", choices=["quality", "features", "hot-paths", "nightly"],
        help="quality: benchmarks 1-2; features: 3, 3a, 3b; hot-paths: 1-3; nightly: 4 only",
    )  # fmt: skip
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)),
        help="fleet sizes of benchmark 4's nights, e.g. 100,1000 (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--no-backfill", action="store_true", help="benchmark 4 without the 30-night backfill"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")  # GX talks a lot at INFO
    logging.getLogger("bench").setLevel(logging.INFO)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    sizes = tuple(int(n) for n in args.sizes.split(","))
    if unknown := set(sizes) - set(fleets.SHARDS):
        parser.error(f"--sizes: {sorted(unknown)} not among {sorted(fleets.SHARDS)}")
    hot = None if args.only == "hot-paths" else args.only
    results = [] if args.only == "nightly" else run_all(args.refresh, hot)
    if args.only in (None, "nightly"):
        results += run_nightly(sizes, with_backfill=not args.no_backfill)
    report(results)
    print("\ntargets")
    for line in check_targets(results):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
