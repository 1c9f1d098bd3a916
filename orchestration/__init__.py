"""Dagster wiring of Foresight: assets, checks, jobs, schedules and resources; no domain logic."""
