"""The plant file: one YAML file loaded into a typed, validated `Plant`, the one settings source."""

from __future__ import annotations

import os
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from connectors.interface_tables import CmmsMapping
from foresight.errors import PlantConfigError
from foresight.paths import plant_state_dir
from foresight.plant_sources import AssetRegisterSource, HistorianSource, MaintenanceSource
from foresight.plant_yaml import locate_key
from foresight.shards import ShardSettings

PLANT_ENV = "FORESIGHT_PLANT"
DEFAULT_PLANT = Path(__file__).resolve().parent.parent / "plants" / "demo.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SimulatorSettings(_Strict):
    """The demo plant is simulated: these settings make its exports, deterministically."""

    seed: int = 42
    n_assets: int = Field(50, ge=3)
    start_date: date = date(2025, 9, 1)
    days: int = Field(450, ge=30)
    sample_minutes: int = Field(60, ge=1, le=1440)
    sites: tuple[str, ...] = ("north", "south")
    historian_format: Literal["parquet", "csv"] = "parquet"
    defects: dict[str, float | bool] = Field(default_factory=dict)


class SqlSource(_Strict):
    """A database behind a SQLAlchemy URL; the password comes from an environment variable."""

    url: str
    password_env: str | None = None

    def resolved_url(self, password: str | None = None) -> str:
        """The URL with the password filled in: `password` when given (Dagster resolves it from
        the same variable, `orchestration.defs.resources.CmmsDatabase`), else `password_env`."""
        if self.password_env is None:
            return self.url
        secret = password if password is not None else os.environ.get(self.password_env)
        if secret is None:
            raise PlantConfigError(
                f"the plant file names password_env {self.password_env!r} for {self.url!r}, "
                "but that environment variable is not set. Export it before running Foresight."
            )
        from sqlalchemy.engine import make_url

        return make_url(self.url).set(password=secret).render_as_string(hide_password=False)


class Sources(_Strict):
    """Where each kind of data comes from (see foresight/plant_sources.py for the options)."""

    historian: HistorianSource
    cmms: SqlSource | None = Field(None, description="CMMS tables `assets` and `work_orders`")
    asset_register: AssetRegisterSource | None = None  # instead of the CMMS table `assets`
    maintenance: MaintenanceSource | None = None  # instead of the CMMS table `work_orders`
    asset_aliases: dict[str, str] | str | None = Field(
        None, description="alias -> asset id, or a CSV with columns alias,asset_id"
    )
    production_context: str | None = Field(None, description="CSV of MES production orders")

    @model_validator(mode="after")
    def _register_and_logs(self) -> Sources:
        if self.cmms is None and (self.asset_register is None or self.maintenance is None):
            raise ValueError(
                "without cmms (a database with tables assets and work_orders), give both "
                "asset_register and maintenance"
            )
        return self


class CmmsTarget(SqlSource):
    """Where scores and work requests go; shadow mode writes to a local shadow database instead."""

    mode: Literal["shadow", "live"] = "shadow"
    mapping: CmmsMapping = Field(
        default_factory=CmmsMapping,
        description="the site's names for the interface tables (connectors/README.md)",
    )


class CostSettings(_Strict):
    """The cost model that chooses the backtest's alert threshold (any one currency)."""

    missed_failure: float = Field(25_000.0, gt=0)
    planned_repair: float = Field(6_000.0, ge=0)
    inspection: float = Field(500.0, ge=0)


class ModelSettings(_Strict):
    horizons_days: tuple[int, ...] = (7, 30)
    min_failures_to_train: int = Field(8, ge=1)
    # a failure mode with fewer labelled failures is scored by the unsupervised health score
    min_failures_per_mode: int = Field(5, ge=1)
    failure_mode_key: Literal["failure_code", "component"] = "failure_code"
    cv_folds: int = Field(3, ge=0, description="grouped, time-ordered folds in the card; 0: none")
    # the gate: a new model becomes champion only if its replayed backtest beats the champion's
    # on the same window by promotion_margin (in the metric's own unit)
    promotion_metric: Literal["recall", "precision_at_k", "cost_saved"] = "recall"
    promotion_margin: float = Field(0.01, ge=0.0)
    promotion_backtest_months: int = Field(2, ge=1)
    training_lookback_days: int = Field(720, ge=30)
    backtest_months: int = Field(6, ge=1)
    min_lead_days: int = Field(3, ge=0)
    cost: CostSettings = CostSettings()
    rul_cap_days: int = Field(60, ge=1)  # remaining life is learned as "at least this" beyond it
    rul_point_estimate: Literal["median", "mean"] = "median"  # "mean": most targets at the cap


class QualitySettings(_Strict):
    max_unknown_asset_share: float = Field(0.01, ge=0, le=1)
    max_malformed_share: float = Field(0.01, ge=0, le=1)
    min_coverage_for_score: float = Field(0.5, ge=0, le=1)
    stuck_run_hours: float = Field(6.0, gt=0)
    spike_robust_z: float = Field(8.0, gt=0)
    # a run-to-failure fleet shrinks as assets fail: its plant file lowers this critical rule
    min_reporting_share: float = Field(0.5, ge=0, le=1)


class SourceAges(_Strict):
    """How old a source's newest record may be, as of the night, before it counts as stalled."""

    maintenance_logs: float = Field(30.0, gt=0, description="days since the newest work order")
    production_context: float = Field(3.0, gt=0, description="days since the newest MES order")


class OperationsSettings(_Strict):
    """How the running platform reaches people and bounds its memory."""

    failure_webhook_env: str | None = Field(
        None, description="environment variable holding the webhook URL for failed runs"
    )
    # a backfill gates and cleans its nights in batches of at most this many readings (one night
    # at least): memory stays that of one batch however long the range (~3.5 GB at 30 M)
    readings_per_batch: int = Field(30_000_000, ge=1)
    freshness_days: SourceAges = SourceAges()


class Plant(_Strict):
    """A plant, as its plant file describes it."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    timezone: str
    history_start: date
    simulator: SimulatorSettings | None = None
    sources: Sources
    cmms_target: CmmsTarget
    models: ModelSettings = ModelSettings()
    quality: QualitySettings = QualitySettings()
    planners_daily_capacity: int = Field(3, ge=1)
    work_request_min_risk: float = Field(0.2, ge=0, le=1)
    # an asset given a work request takes no slot of the next N nights' capacity (planners are
    # still on it); the backtest replays the same rule. 0: every night's top k, repeats included
    work_request_snooze_nights: int = Field(0, ge=0)
    operations: OperationsSettings = OperationsSettings()
    shards: ShardSettings = ShardSettings()
    plant_dir: Path = Field(Path("."), exclude=True)
    plant_file: Path = Field(Path("plant.yaml"), exclude=True)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like 'Europe/Berlin'"
            ) from exc
        return value

    @cached_property
    def state_dir(self) -> Path:
        return plant_state_dir(self.name)

    @property
    def exports_dir(self) -> Path:
        """Where a simulated plant's exports land (a real plant's files stay where they are)."""
        return self.state_dir / "exports"

    def expand(self, template: str) -> str:
        """Fill {exports}, {state} and {plant_dir} in a path or URL from the plant file."""
        return template.format(
            exports=self.exports_dir, state=self.state_dir, plant_dir=self.plant_dir
        )

    def path_of(self, template: str) -> str:
        """A file path or glob from the plant file: placeholders filled, relative to its folder."""
        expanded = Path(self.expand(template)).expanduser()
        return str(expanded if expanded.is_absolute() else self.plant_dir / expanded)

    def url_of(self, source: SqlSource, password: str | None = None) -> str:
        """A database source's URL with placeholders filled and the password from its variable."""
        return self.expand(source.resolved_url(password))

    def writeback_url(self, password: str | None = None) -> str:
        """Where scores go: the CMMS when live, else a shadow SQLite database in the state."""
        if self.cmms_target.mode == "live":
            return self.url_of(self.cmms_target, password)
        return f"sqlite:///{self.state_dir / 'shadow_cmms.sqlite'}"

    @property
    def run_to_failure(self):
        """Run-to-failure settings when the maintenance log is the histories' ends, else None."""
        logs = self.sources.maintenance
        return logs.run_to_failure if logs is not None else None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_plant(path: str | Path | None = None) -> Plant:
    """Load and validate a plant file: the argument, else $FORESIGHT_PLANT, else the demo plant.

    Raises:
        PlantConfigError: naming the file, the key, its line and what was expected.
    """
    chosen = Path(path or os.environ.get(PLANT_ENV) or DEFAULT_PLANT).expanduser().resolve()
    if not chosen.is_file():
        raise PlantConfigError(
            f"plant file {chosen} does not exist. Pass --plant PATH or set {PLANT_ENV}."
        )
    text = chosen.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlantConfigError(f"plant file {chosen.name} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PlantConfigError(
            f"plant file {chosen.name} must be a mapping of keys, got {type(raw).__name__}"
        )
    try:
        return Plant.model_validate({**raw, "plant_dir": chosen.parent, "plant_file": chosen})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        line = locate_key(text, first["loc"])
        where = f" (line {line})" if line else ""
        raise PlantConfigError(
            f"plant file {chosen.name}: key {key!r}{where}: {first['msg']}"
            f"; got {first.get('input')!r}."
            + (f" ({len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else "")
        ) from exc
