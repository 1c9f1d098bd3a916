"""Retries with backoff on source reads: a share or a database that is away for a while."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from foresight.errors import ForesightError

# a file share or a database that is away for a minute: tried again after ~15 s, 30 s, 60 s
SOURCE_RETRY = dg.RetryPolicy(
    max_retries=3, delay=15, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


@contextmanager
def source_errors() -> Iterator[None]:
    """A source error that another try cannot fix (a bad file, a wrong plant file) fails at once;
    any other error (a share or a database away) is retried by `SOURCE_RETRY`."""
    try:
        yield
    except ForesightError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
