"""The `sources:` part of the plant file: where a plant's exports are and how to read them.

Every field has a default that reads the demo plant's exports (long Parquet/CSV, ISO 8601 times
with offsets, the CMMS tables), so a plant file only names what differs in its own exports.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CsvOptions(_Strict):
    """How a text export is laid out."""

    separator: str = Field(",", description='";" for many European exports; "whitespace" for text')
    decimal_comma: bool = Field(False, description="values written as 12,5 (a '.' then groups)")
    header: bool = True
    column_names: tuple[str, ...] | None = Field(
        None, description="names of the columns, in order, for files without a header line"
    )
    encoding: Literal["utf8", "latin1"] = "utf8"

    @model_validator(mode="after")
    def _names_without_header(self) -> CsvOptions:
        if not self.header and not self.column_names:
            raise ValueError("header: false needs column_names (the columns in file order)")
        return self


class TimeSettings(_Strict):
    """How the export writes time; everything becomes ISO 8601 with an offset at read.

    kinds: `iso` (with offset, as is), `local` (plant wall-clock time, localised with the plant's
    time zone: an hour repeated when clocks go back takes `ambiguous`, a time skipped when they go
    forward is kept as written and quarantined), `epoch_seconds`, `epoch_milliseconds`, `cycles`
    (operating cycles or hours: cycle n is `cycle_epoch` + n x `cycle_hours`, a synthetic clock).
    """

    kind: Literal["iso", "local", "epoch_seconds", "epoch_milliseconds", "cycles"] = "iso"
    format: str | None = Field(None, description='strftime format of local times, "%d.%m.%Y %H:%M"')
    ambiguous: Literal["earliest", "latest"] = "earliest"
    cycle_epoch: date = date(2000, 1, 1)
    cycle_hours: float = Field(24.0, gt=0)


class SensorSpec(_Strict):
    """A sensor's canonical unit and valid range, for plants without a tag catalogue file."""

    unit: str
    min_valid: float | None = None
    max_valid: float | None = None


class HistorianSource(_Strict):
    """Sensor history: export files by glob (CSV, text or Parquet; long or wide) or a SQL query."""

    files: str | tuple[str, ...] | None = Field(
        None, description="glob(s) of export files, relative to the plant file's folder"
    )
    query: str | None = Field(None, description="SQL returning the export columns (with url)")
    url: str | None = None
    password_env: str | None = None
    format: Literal["parquet", "csv"] = "parquet"
    layout: Literal["long", "wide"] = "long"
    csv: CsvOptions = CsvOptions()
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="export column of asset_id, tag, timestamp, value, unit, quality (long) "
        "or asset_id, timestamp (wide); unnamed ones keep their own name",
    )
    ignore_columns: tuple[str, ...] = Field((), description="wide: columns that are no sensor")
    time: TimeSettings = TimeSettings()
    units: dict[str, str] = Field(
        default_factory=dict, description="unit per sensor, for exports without a unit column"
    )
    asset_id_template: str = Field(
        "{asset_id}", description="e.g. '{file_stem}-{asset_id}' when files reuse asset numbers"
    )
    tag_catalog: str | None = Field(
        None, description="CSV: asset_type,tag,unit,description,min_valid,max_valid"
    )
    sensors: dict[str, SensorSpec] = Field(
        default_factory=dict, description="the catalogue in the plant file, for every asset type"
    )
    arrival: Literal["file_name", "timestamp"] = Field(
        "file_name",
        description="a row's night: the date in its file's name, or its own (local) time stamp",
    )
    arrival_date_pattern: str = Field(
        r"(\d{4}-\d{2}-\d{2})", description="regex whose first group is the file's arrival date"
    )

    @model_validator(mode="after")
    def _one_source(self) -> HistorianSource:
        if (self.files is None) == (self.query is None):
            raise ValueError("give either files (a glob) or query (with url), not both or neither")
        if self.query is not None and self.url is None:
            raise ValueError("a historian query needs url (a SQLAlchemy URL)")
        if self.tag_catalog is None and not self.sensors and not self.units:
            raise ValueError("give tag_catalog (a CSV), sensors (unit and range) or units")
        return self

    @property
    def globs(self) -> tuple[str, ...]:
        if self.files is None:
            return ()
        return (self.files,) if isinstance(self.files, str) else self.files


class AssetRegisterSource(_Strict):
    """The asset register: a CSV file, or derived from the readings (one type for every asset)."""

    file: str | None = None
    csv: CsvOptions = CsvOptions()
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="file column of asset_id, asset_type, site, criticality, commissioned_on, "
        "status",
    )
    defaults: dict[str, str] = Field(
        default_factory=dict, description="value of a register column the file does not have"
    )
    statuses: dict[str, str] = Field(
        default_factory=dict, description="site status -> active, inactive or decommissioned"
    )
    from_readings: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> AssetRegisterSource:
        if (self.file is None) == (not self.from_readings):
            raise ValueError("give either file (a CSV) or from_readings: true")
        if self.from_readings and "asset_type" not in self.defaults:
            raise ValueError("from_readings needs defaults.asset_type (the type of every asset)")
        return self


class RunToFailure(_Strict):
    """Histories that each run until the asset fails: the last record of each is the failure.

    Histories from other files are cut off before failure: they are scored, never trained on.
    """

    failed_files: str = Field(description="glob on file names whose histories end in failure")
    failure_code: str = "run_to_failure"
    component: str = "unit"
    true_remaining_life: str | None = Field(
        None, description="text file: the true remaining life (cycles) of each cut-off history"
    )
    true_remaining_life_ids: str = Field(
        "{n}", description="asset id of line n (1-based) of true_remaining_life"
    )


class MaintenanceSource(_Strict):
    """Maintenance logs: a CSV (or SQL query) with the site's own columns, types and codes."""

    file: str | None = None
    query: str | None = None
    url: str | None = None
    password_env: str | None = None
    csv: CsvOptions = CsvOptions()
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="source column of wo_id, asset_id, wo_type, status, component, "
        "failure_code, opened_at, closed_at, notes",
    )
    time_format: str | None = Field(None, description="strftime format of local open/close times")
    wo_types: dict[str, str] = Field(
        default_factory=dict, description="the site's work-order type -> PM, CM or INSP"
    )
    failure_codes: dict[str, str] = Field(
        default_factory=dict, description="the site's failure code -> Foresight's code"
    )
    statuses: dict[str, str] = Field(
        default_factory=dict, description="the site's status -> open, closed or cancelled"
    )
    run_to_failure: RunToFailure | None = None

    @model_validator(mode="after")
    def _one_source(self) -> MaintenanceSource:
        given = [x is not None for x in (self.file, self.query, self.run_to_failure)]
        if sum(given) != 1:
            raise ValueError("give exactly one of file (CSV), query (with url) or run_to_failure")
        if self.query is not None and self.url is None:
            raise ValueError("a maintenance query needs url (a SQLAlchemy URL)")
        return self
