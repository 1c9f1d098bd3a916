"""Dagster wiring of Foresight: assets, checks, jobs, schedules and resources; no domain logic."""

import foresight  # noqa: F401  (sets the allocator's settings before polars loads)
