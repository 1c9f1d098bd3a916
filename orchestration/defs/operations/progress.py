"""Progress of long steps: one log line per batch of nights, in the UI and on the command line.

A backfill of a large plant gates and cleans night after night inside one step; each batch done
logs a `progress:` line to the run's log (the UI shows it as it comes). The command line runs jobs
with its console logger quiet and the `progress` logger below on, which prints only those lines.
"""

import logging
import sys
from datetime import date

import dagster as dg

PREFIX = "progress: "


def log_progress(
    context: dg.AssetExecutionContext, what: str, batch: list[date], done: int, total: int
) -> None:
    """A line per batch of nights (a night, in a large plant's backfill), at most ~10 per step."""
    if done < total and done % -(-total // 10):
        return
    span = f"{batch[0]}" if len(batch) == 1 else f"{batch[0]} .. {batch[-1]}, {len(batch)} nights"
    context.log.info(f"{PREFIX}{context.op_def.name} {done} of {total} ({span}): {what}")


def say(context: dg.AssetExecutionContext, text: str) -> None:
    """One progress line of a long step that does not go night by night (training, replays)."""
    context.log.info(f"{PREFIX}{context.op_def.name}: {text}")


class _ProgressOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", None) or {}
        return str(meta.get("orig_message", "")).startswith(PREFIX)


@dg.logger(description="Prints the progress lines of long steps, nothing else (command line).")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("foresight.progress", level=logging.INFO)
    handler = logging.StreamHandler(sys.stderr)  # stdout: the results (e.g. --json)
    handler.addFilter(_ProgressOnly())
    handler.setFormatter(_Format())
    logger.addHandler(handler)
    return logger


class _Format(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        text = str(meta.get("orig_message", "")).removeprefix(PREFIX)
        return f"[foresight {self.formatTime(record, '%H:%M:%S')}]   {text}"


@dg.definitions
def loggers() -> dg.Definitions:
    return dg.Definitions(
        loggers={"console": dg.colored_console_logger, "progress": progress_logger}
    )
