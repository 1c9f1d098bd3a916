"""Foresight: the application shell (plant file, errors, state folder, command line)."""

import os

# polars allocates through jemalloc, which by default keeps freed pages for ~10 s before giving
# them back; a nightly run frees gigabytes between steps, so return them at once (the figures in
# `make bench` are measured with this). Set before polars loads; a value already set wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
