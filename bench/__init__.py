"""Benchmarks: `make bench` prints a table and writes bench-results.json at the repository root."""

import foresight  # noqa: F401  (sets the allocator's settings before polars loads)
