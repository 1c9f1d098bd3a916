"""Tell people a run failed: one plain-text message, posted to the plant's webhook as JSON."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from foresight.errors import ForesightError, PlantConfigError


def failure_message(job_name: str, run_id: str, error: str) -> str:
    """What an on-call engineer needs first: which job, which run, what went wrong."""
    return f"Foresight: job {job_name!r} failed (run {run_id}).\n{error.strip()}"


def webhook_url(env_name: str | None) -> str | None:
    """The webhook URL from the variable the plant file names; None when it names none.

    Raises:
        PlantConfigError: the plant file names a variable that is not set.
    """
    if env_name is None:
        return None
    url = os.environ.get(env_name)
    if not url:
        raise PlantConfigError(
            f"the plant file names operations.failure_webhook_env {env_name!r}, but that "
            "environment variable is not set. Export the webhook URL in it, or remove the key."
        )
    return url


def post_webhook(url: str, text: str, timeout_s: float = 10.0) -> None:
    """POST {"text": text} (the shape Slack, Teams and Mattermost incoming webhooks accept).

    Raises:
        ForesightError: the webhook did not answer or answered with an error status.
    """
    body = json.dumps({"text": text}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s):
            pass
    except (urllib.error.URLError, TimeoutError) as exc:
        raise ForesightError(
            f"failure webhook {url.split('?')[0]}: could not deliver the message ({exc}). "
            "Check the URL in the variable named by operations.failure_webhook_env."
        ) from exc
