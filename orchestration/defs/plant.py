"""The active plant (from --plant / FORESIGHT_PLANT), the nightly partitions in its time zone and
the plant's asset shards (one chain of per-reading steps per shard, see foresight/shards.py)."""

from datetime import date, datetime

import dagster as dg

from foresight.plant import Plant, load_plant

PLANT: Plant = load_plant()
OWNERS = ["team:reliability-analytics"]

nightly_partitions = dg.DailyPartitionsDefinition(
    start_date=PLANT.history_start.isoformat(),
    timezone=PLANT.timezone,
    end_offset=1,  # tonight's export is being written: its partition exists from midnight on
)


# every nightly asset: a backfill of a year is one run over the range, stored one file per night
NIGHTLY = {"partitions_def": nightly_partitions, "backfill_policy": dg.BackfillPolicy.single_run()}


SHARDS = PLANT.shards


def shard_key(shard: str, name: str) -> dg.AssetKey:
    """A per-shard asset's key: its plain name for a one-shard plant, `<shard>/<name>` otherwise."""
    return dg.AssetKey([shard, name] if SHARDS.sharded else [name])


def night_of(key: str) -> date:
    """The night (plant-local date) a partition key names."""
    return datetime.strptime(key, "%Y-%m-%d").date()


def nights_of(context: dg.AssetExecutionContext) -> list[date]:
    """All nights in the run's partition range (one for a nightly run, many for a backfill)."""
    return [night_of(k) for k in context.partition_keys]
