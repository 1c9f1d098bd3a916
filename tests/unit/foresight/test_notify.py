import pytest

from foresight.errors import ForesightError, PlantConfigError
from foresight.notify import failure_message, post_webhook, webhook_url


def test_failure_message_names_job_run_and_error():
    text = failure_message("nightly", "abc123", "  step x: boom\n")
    assert text == "Foresight: job 'nightly' failed (run abc123).\nstep x: boom"


def test_no_webhook_variable_named_means_no_url():
    assert webhook_url(None) is None


def test_a_named_but_unset_variable_is_a_plant_config_error(monkeypatch):
    monkeypatch.delenv("FS_TEST_HOOK", raising=False)
    with pytest.raises(PlantConfigError, match="'FS_TEST_HOOK'.*not set"):
        webhook_url("FS_TEST_HOOK")


def test_an_unreachable_webhook_raises_naming_the_url():
    # port 9 on localhost: nothing listens there, the connection is refused at once
    with pytest.raises(ForesightError, match="http://127.0.0.1:9/hook: could not deliver"):
        post_webhook("http://127.0.0.1:9/hook?token=secret", "x", timeout_s=2)
