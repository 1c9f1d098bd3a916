"""Foresight's interface tables in the CMMS, and the mapping of them onto a site's own tables.

Code always names columns by their logical name (`table.c.asset_id`); the mapping only changes
the physical table, column and schema names, so a site can point Foresight at the integration
tables its CMMS already offers (see connectors/README.md, "Mapping onto the site's tables").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$#]{0,62}$")
DISPOSITIONS = ("fault_confirmed", "no_fault_found", "deferred")
# the columns the CMMS side fills in; Foresight reads them and never writes them
CMMS_OWNED = ("disposition", "disposition_at", "technician_note", "closed")


def _score_columns(with_history_flag: bool) -> list[sa.Column]:
    columns = [
        sa.Column("asset_id", sa.String(64), primary_key=True),
        sa.Column("horizon_days", sa.Integer, primary_key=True),
        sa.Column("as_of_date", sa.Date, primary_key=with_history_flag, nullable=False),
        sa.Column("risk", sa.Float, nullable=True),
        sa.Column("band", sa.String(32), nullable=False),
        sa.Column("risk_rank", sa.Integer, nullable=True),
        sa.Column("rul_days", sa.Float, nullable=True),
        sa.Column("rul_low_days", sa.Float, nullable=True),
        sa.Column("rul_high_days", sa.Float, nullable=True),
        sa.Column("drivers", sa.Text, nullable=False),
        sa.Column("data_quality_status", sa.String(32), nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
    ]
    if with_history_flag:
        columns.append(sa.Column("is_current", sa.Boolean, nullable=False, default=False))
    return columns


def _work_request_columns() -> list[sa.Column]:
    return [
        sa.Column("request_id", sa.String(96), primary_key=True),
        sa.Column("asset_id", sa.String(64), nullable=False),
        sa.Column("failure_mode", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),  # open; the CMMS closes it
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("risk", sa.Float, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_night", sa.Date, nullable=False),
        sa.Column("updated_night", sa.Date, nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("horizon_days", sa.Integer, nullable=True),  # the horizon the risk is for
        # filled by the CMMS (its technicians); CMMS local time, like its work orders
        sa.Column("disposition", sa.String(32), nullable=True),
        sa.Column("disposition_at", sa.DateTime, nullable=True),
        sa.Column("technician_note", sa.Text, nullable=True),
        sa.Column("closed", sa.Boolean, nullable=True),
    ]


# role in the plant file -> (default table name, column factory)
ROLES: dict[str, tuple[str, Callable[[], list[sa.Column]]]] = {
    "score_history": ("foresight_risk_score_history", lambda: _score_columns(True)),
    "current_scores": ("foresight_current_risk_scores", lambda: _score_columns(False)),
    "work_requests": ("foresight_work_requests", _work_request_columns),
}


def logical_columns(role: str) -> list[str]:
    """The logical column names of a table role, in table order."""
    return [c.name for c in ROLES[role][1]()]


class TableMapping(BaseModel):
    """One interface table: its name in the CMMS and the site's names for its columns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str | None = Field(None, description="the site's table name; default: Foresight's")
    columns: dict[str, str] = Field(
        default_factory=dict, description="logical column -> the site's column name"
    )

    role: ClassVar[str]

    @field_validator("table")
    @classmethod
    def _table_is_identifier(cls, value: str | None) -> str | None:
        if value is not None and not IDENTIFIER.match(value):
            raise ValueError(f"table name {value!r} is not a plain SQL identifier")
        return value

    @field_validator("columns")
    @classmethod
    def _columns_are_known_and_distinct(cls, mapped: dict[str, str]) -> dict[str, str]:
        known = logical_columns(cls.role)
        for logical, physical in mapped.items():
            if logical not in known:
                raise ValueError(
                    f"{logical!r} is not a column of this table; expected one of {known}"
                )
            if not IDENTIFIER.match(physical):
                raise ValueError(f"{logical}: {physical!r} is not a plain SQL identifier")
        physical_names = [mapped.get(c, c).lower() for c in known]
        twice = sorted({n for n in physical_names if physical_names.count(n) > 1})
        if twice:
            raise ValueError(f"{twice} would name two columns of the table the same")
        return mapped


class ScoreHistoryMapping(TableMapping):
    role = "score_history"


class CurrentScoresMapping(TableMapping):
    role = "current_scores"


class WorkRequestsMapping(TableMapping):
    """Foresight's requests and the CMMS's answers to them (disposition columns included)."""

    role = "work_requests"


class CmmsMapping(BaseModel):
    """Where the interface tables live in the site's CMMS; empty means Foresight's own names."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    db_schema: str | None = Field(None, alias="schema", description="PostgreSQL schema")
    score_history: ScoreHistoryMapping = ScoreHistoryMapping()
    current_scores: CurrentScoresMapping = CurrentScoresMapping()
    work_requests: WorkRequestsMapping = WorkRequestsMapping()

    @field_validator("db_schema")
    @classmethod
    def _schema_is_identifier(cls, value: str | None) -> str | None:
        if value is not None and not IDENTIFIER.match(value):
            raise ValueError(f"schema name {value!r} is not a plain SQL identifier")
        return value

    @model_validator(mode="after")
    def _tables_are_distinct(self) -> CmmsMapping:
        tables = [self.table_name(role).lower() for role in ROLES]
        if len(set(tables)) < len(tables):
            raise ValueError(f"the three interface tables need distinct names, got {tables}")
        return self

    def table_name(self, role: str) -> str:
        """The site's name of a table role (Foresight's default when not mapped)."""
        return getattr(self, role).table or ROLES[role][0]

    def column_name(self, role: str, logical: str) -> str:
        """The site's name of one column of a table role."""
        return getattr(self, role).columns.get(logical, logical)


@dataclass(frozen=True)
class InterfaceTables:
    """The three interface tables as SQLAlchemy tables; `.c.<logical name>` whatever the mapping."""

    metadata: sa.MetaData
    history: sa.Table
    current: sa.Table
    work_requests: sa.Table

    @property
    def all(self) -> tuple[sa.Table, sa.Table, sa.Table]:
        return (self.history, self.current, self.work_requests)

    def qualified(self, table: sa.Table) -> str:
        """schema.table as the site knows it, for messages."""
        return f"{table.schema}.{table.name}" if table.schema else table.name


def interface_tables(mapping: CmmsMapping | None = None) -> InterfaceTables:
    """Build the interface tables under the mapping's names (Foresight's own names by default)."""
    mapping = mapping or CmmsMapping()
    metadata = sa.MetaData(schema=mapping.db_schema)
    built = {}
    for role, (_, factory) in ROLES.items():
        columns = [
            sa.Column(
                mapping.column_name(role, c.name),
                c.type,
                key=c.name,  # code keeps using the logical name
                primary_key=c.primary_key,
                nullable=c.nullable,
                default=c.default.arg if c.default is not None else None,
            )
            for c in factory()
        ]
        built[role] = sa.Table(mapping.table_name(role), metadata, *columns)
    return InterfaceTables(
        metadata, built["score_history"], built["current_scores"], built["work_requests"]
    )


def logical_select(table: sa.Table, *keys: str) -> sa.Select:
    """SELECT the given logical columns (all when none given), labelled by their logical names."""
    chosen = [table.c[k] for k in keys] if keys else list(table.c)
    return sa.select(*[c.label(c.key) for c in chosen])
