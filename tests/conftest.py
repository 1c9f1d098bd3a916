"""Shared fixtures: every test session gets its own FORESIGHT_HOME, never the developer's .state."""

import os
import tempfile

os.environ.setdefault("FORESIGHT_HOME", tempfile.mkdtemp(prefix="foresight-test-home-"))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
