"""The `foresight` command: runs the same Dagster jobs as the UI, in process, with plain errors."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from foresight.errors import ForesightError
from foresight.plant import Plant, load_plant


def _say(message: str) -> None:
    """A progress line: on standard error, so that standard output holds only the results."""
    print(f"[foresight {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ensure_exports(plant: Plant) -> None:
    """Simulate a simulated plant's exports once (deterministic, so never needed twice)."""
    from foresight.demo import simulate_if_missing

    simulate_if_missing(plant, _say)


def latest_night(plant: Plant) -> date:
    """The newest night that has historian readings."""
    from connectors.site import export_nights

    nights = export_nights(plant)
    if not nights:
        raise ForesightError(
            f"no historian export matches {plant.sources.historian.files} (relative to "
            f"{plant.plant_dir}); check sources.historian.files."
        )
    return max(nights)


def cmd_nightly(plant: Plant, as_of: date | None, execution: dict | None = None) -> None:
    from foresight import runner

    ensure_exports(plant)
    night = as_of or latest_night(plant)
    if night < plant.history_start:
        raise ForesightError(
            f"--as-of {night} is before the plant's history_start {plant.history_start}."
        )
    _ensure_history(plant, night - timedelta(days=1), execution)
    _ensure_champion(plant)
    _say(f"nightly run for {night}")
    warnings = runner.run_job("nightly", partition=night.isoformat(), execution=execution)
    from foresight.risk_list import print_risk_list

    print_risk_list(plant, night)
    _print_warnings(warnings, "tonight")


def _ensure_champion(plant: Plant) -> None:
    from foresight import runner
    from models.registry import ModelRegistry

    if ModelRegistry(plant.state_dir / "models").champion_version() is None:
        _say("no champion model yet: training one on the history")
        runner.run_job("training")


def _print_warnings(warnings: list[str], when: str) -> None:
    if warnings:
        print(f"\nData-quality warnings {when} (the run went on; see the Dagster UI for details):")
        for text in warnings:
            for line in text.splitlines():
                print(f"  - {line[:300]}")


def cmd_backfill(
    plant: Plant, first: date, last: date, features_only: bool, execution: dict | None
) -> None:
    """The nightly job over a range of nights in one run (a single-run backfill)."""
    from foresight import runner

    ensure_exports(plant)
    if first < plant.history_start or last < first:
        raise ForesightError(
            f"--from {first} --to {last}: expected history_start ({plant.history_start}) <= "
            "--from <= --to."
        )
    if not features_only:
        _ensure_history(plant, first - timedelta(days=1), execution)
        _ensure_champion(plant)
    what = "ingest to features" if features_only else "ingest to scores and write-back"
    nights = (last - first).days + 1
    _say(f"backfill {first} .. {last}: {nights} nights in one run ({what})")
    warnings = runner.run_job(
        "nightly",
        partition_range=(first.isoformat(), last.isoformat()),
        assets=runner.INGEST_TO_FEATURES if features_only else None,
        execution=execution,
    )
    _say(f"backfill {first} .. {last} done: {nights} nights materialized")
    _print_warnings(warnings, "in the backfill")


def execution_of(run_config: Path | None) -> dict | None:
    """The `execution` block of a run-config YAML (deploy/...), None to run in this process."""
    if run_config is None:
        return None
    import yaml

    try:
        block = (yaml.safe_load(run_config.read_text(encoding="utf-8")) or {}).get("execution")
    except (OSError, yaml.YAMLError) as exc:
        raise ForesightError(f"--run-config {run_config}: cannot be read ({exc}).") from exc
    if not isinstance(block, dict):
        raise ForesightError(
            f"--run-config {run_config}: no `execution:` block; see deploy/ for examples."
        )
    return block


def cmd_train(plant: Plant) -> None:
    from foresight import runner

    ensure_exports(plant)
    _ensure_history(plant, latest_night(plant))
    _say("training")
    runner.run_job("training")
    from foresight.risk_list import print_model_card

    print_model_card(plant)
    rtf = plant.run_to_failure
    if rtf is not None and rtf.true_remaining_life is not None:
        from foresight.rul_evaluation import evaluate_cut_off_histories

        f = evaluate_cut_off_histories(plant)
        print(
            f"\nRemaining life at the end of {f['histories']:.0f} cut-off histories vs "
            f"{Path(rtf.true_remaining_life).name}: RMSE {f['rmse']:.2f}, PHM08 score "
            f"{f['phm08_score']:.0f}, mean absolute error {f['mean_absolute_error']:.2f} "
            f"(cap {f['rul_cap']:.0f}; {plant.state_dir / 'evaluations'})"
        )


def _ensure_history(plant: Plant, last: date, execution: dict | None = None) -> None:
    """Build every night up to `last` not yet materialized, ingest to features, in one run."""
    from foresight import runner

    gap = runner.missing_range(
        plant.history_start, last, runner.materialized_nights("window_features")
    )
    if gap:
        _say(
            f"building history {gap[0]} .. {gap[1]} "
            "(ingest, quality gate, cleaning, features) in one run"
        )
        runner.run_job(
            "nightly", partition_range=gap, assets=runner.INGEST_TO_FEATURES, execution=execution
        )


def cmd_backtest(plant: Plant, months: int | None, as_json: bool) -> None:
    import json

    from foresight import runner
    from models.backtest_metrics import comparison_rows

    ensure_exports(plant)
    _ensure_history(plant, latest_night(plant))
    if not as_json:
        _say(
            f"replaying {months or plant.models.backtest_months} months night by night "
            "(retraining monthly)"
        )
    config = {"ops": {"risk_backtest": {"config": {"months": months or 0}}}}
    runner.run_job("backtest", run_config=config)
    figures = json.loads((plant.state_dir / "backtests" / "latest.json").read_text())
    if as_json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"\nBacktest of {plant.name}: {figures['nights']} nights, top {figures['k']} per night, "
        f"{figures['horizon_days']}-day horizon"
        + (
            f", an asset put on the list left off the next {n} nights' top {figures['k']}"
            if (n := figures.get("snooze_nights"))
            else ""
        )
    )
    for key in (
        "precision_at_k",
        "precision_at_k_ceiling",
        "recall",
        "failures",
        "caught",
        "lead_days_min",
        "lead_days_median",
        "false_alarms_per_asset_month",
        "threshold",
        "cost_saved",
    ):
        print(f"  {key:<30} {figures[key]}")
    print("\n  every horizon, beside the baselines (each at its own cost-optimal threshold):")
    print(
        f"  {'method':<10} {'horizon':>7} {'p@k':>6} {'recall':>7} {'caught':>8} "
        f"{'FA/asset-mo':>11} {'cost saved':>12}"
    )
    for row in comparison_rows(figures):
        print(
            f"  {row['method']:<10} {row['horizon']:>7} {row['precision_at_k']:>6.2f} "
            f"{row['recall']:>7.2f} {row['caught']:>3}/{row['failures']:<4} "
            f"{row['false_alarms_per_asset_month']:>11.2f} {row['cost_saved']:>12,.0f}"
        )
    if plain := figures.get("without_snooze"):
        print(
            "  the model's lists without the snooze (an asset may hold its slot night after night):"
        )
        for horizon, row in plain.items():
            print(
                f"  {'model':<10} {horizon:>7} {row['precision_at_k']:>6.2f} "
                f"{row['recall']:>7.2f} {row['caught']:>3}/{row['failures']:<4} "
                f"{row['false_alarms_per_asset_month']:>11.2f} {row['cost_saved']:>12,.0f}"
            )
    print(f"  nightly risk lists kept in {plant.state_dir / 'backtests' / 'risk_lists.parquet'}")


def cmd_report(plant: Plant) -> None:
    """Print where the latest planners' report is, and its top rows."""
    folder = plant.state_dir / "reports"
    page = folder / "latest.html"
    if not page.is_file():
        raise ForesightError(f"no report yet in {folder}; run `foresight nightly` first.")
    import polars as pl

    table = pl.read_csv(folder / "latest.csv")
    print(f"latest planners' report: {page}\n  (open it in a browser: file://{page})")
    print(f"  csv: {folder / 'latest.csv'}")
    for row in table.head(5).iter_rows(named=True):
        print(f"  #{row['rank']} {row['asset_id']} {row['band']}: {row['drivers'][:120]}")


def cmd_model(plant: Plant, args: argparse.Namespace) -> None:
    """`model export` writes a bundle of the champion; `model import` checks and registers one."""
    from models.registry import ModelRegistry, export_bundle, import_bundle

    registry = ModelRegistry(plant.state_dir / "models")
    if args.action == "export":
        out = export_bundle(registry, args.out, args.version)
        print(f"model {args.version or registry.champion_version()} of {plant.name} -> {out}")
        return
    columns, asset_types = _feature_contract(plant)
    promotion = import_bundle(registry, args.bundle, columns, asset_types, args.champion)
    print(f"{args.bundle} -> {plant.name} model {promotion.version}: {promotion.reason}")


def _feature_contract(plant: Plant) -> tuple[list[str], list[str]]:
    """The columns and asset types of the plant's newest window-feature night."""
    import polars as pl

    nights = sorted((plant.state_dir / "store" / "window_features").glob("*.parquet"))
    if not nights:
        raise ForesightError(
            f"plant {plant.name} has no window features yet to check a bundle against; "
            "run `foresight nightly` first."
        )
    newest = pl.read_parquet(nights[-1])
    return newest.columns, sorted(newest["asset_type"].drop_nulls().unique().to_list())


def _add_run_config(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--run-config",
        type=Path,
        help="run config YAML whose `execution:` block runs the steps elsewhere, e.g. "
        "deploy/dagster.multiprocess.yaml (steps and shards in parallel processes) or "
        "deploy/celery/run_config.yaml (Celery workers); default: in this process",
    )


def _add_backfill_parser(sub: argparse._SubParsersAction) -> None:
    text = "run the nightly job over a range of nights in one run (a single-run backfill)"
    cmd = sub.add_parser("backfill", help=text, description=text)
    cmd.add_argument("--plant", type=Path, help="plant file (default: $FORESIGHT_PLANT)")
    cmd.add_argument("--from", dest="first", type=date.fromisoformat, required=True)
    cmd.add_argument("--to", dest="last", type=date.fromisoformat, required=True)
    cmd.add_argument(
        "--features-only",
        action="store_true",
        help="ingest, gate, clean and build features only (no scores, no write-back)",
    )
    _add_run_config(cmd)


def _add_model_parser(sub: argparse._SubParsersAction) -> None:
    text = "export the champion as a bundle, or import a bundle from another plant"
    model = sub.add_parser("model", help=text, description=text)
    model.add_argument("--plant", type=Path, help="plant file (default: $FORESIGHT_PLANT)")
    actions = model.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write model, card and feature contract to a zip")
    export.add_argument("--out", type=Path, required=True, help="the bundle to write (.zip)")
    export.add_argument("--version", help="model version (default: the champion)")
    imp = actions.add_parser("import", help="check a bundle against this plant and register it")
    imp.add_argument("bundle", type=Path, help="a bundle written by `foresight model export`")
    imp.add_argument(
        "--champion", action="store_true", help="make it champion even if the plant has one"
    )


def cmd_draft_plant(files: list[Path], output: Path, name: str) -> None:
    """Write a starting plant file from sample exports; refuse to overwrite one."""
    from foresight.drafting import draft_plant

    if output.exists():
        raise ForesightError(f"{output} exists; choose another --output or remove it.")
    text = draft_plant(files, output.resolve().parent, name)
    output.write_text(text, encoding="utf-8")
    checks = sum("CHECK" in line for line in text.splitlines())
    print(f"wrote {output}: {checks} lines marked CHECK to confirm, then run")
    print(f"  foresight nightly --plant {output}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="foresight", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    draft = sub.add_parser(
        "draft-plant",
        help="guess a plant file from sample exports",
        description="inspect sample export files and write a starting plant file with comments",
    )
    draft.add_argument("files", nargs="+", type=Path, help="sample sensor export files")
    draft.add_argument("--output", type=Path, default=Path("plant.yaml"))
    draft.add_argument("--name", default="my-plant", help="plant name (lower case, - or _)")
    for name, text in [
        ("nightly", "run the nightly job: ingest, gate, clean, features, score, write back"),
        ("train", "train a failure-risk model and promote it if it beats the champion"),
        ("backtest", "replay past months night by night and report what would have been caught"),
        ("report", "print where the latest planners' report (HTML and CSV) is, and its top rows"),
        ("simulate", "write the simulated plant's exports (demo plants only)"),
    ]:
        cmd = sub.add_parser(name, help=text, description=text)
        cmd.add_argument(
            "--plant",
            type=Path,
            help="plant file (default: $FORESIGHT_PLANT, else plants/demo.yaml)",
        )
        if name == "backtest":
            cmd.add_argument(
                "--months", type=int, help="months to replay (default: the plant file's)"
            )
            cmd.add_argument(
                "--json", action="store_true", help="print the figures as one JSON object"
            )
        if name == "nightly":
            cmd.add_argument(
                "--as-of",
                type=date.fromisoformat,
                help="night to score, YYYY-MM-DD (default: newest export)",
            )
            _add_run_config(cmd)
    _add_backfill_parser(sub)
    _add_model_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)  # GX sets its own loggers to INFO
    try:
        if args.command == "draft-plant":
            cmd_draft_plant(args.files, args.output, args.name)
            return 0
        plant = load_plant(args.plant)
        from foresight.runner import activate

        activate(plant)
        if args.command == "nightly":
            cmd_nightly(plant, args.as_of, execution_of(args.run_config))
        elif args.command == "backfill":
            cmd_backfill(
                plant, args.first, args.last, args.features_only, execution_of(args.run_config)
            )
        elif args.command == "backtest":
            cmd_backtest(plant, args.months, args.json)
        elif args.command == "report":
            cmd_report(plant)
        elif args.command == "train":
            cmd_train(plant)
        elif args.command == "model":
            cmd_model(plant, args)
        else:
            ensure_exports(plant)
    except ForesightError as exc:
        print(f"foresight {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("foresight: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
