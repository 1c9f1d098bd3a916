"""Foresight's one error hierarchy: each message names source, rule, what was seen, the fix."""


class ForesightError(Exception):
    """Base of every error raised on purpose; the CLI prints its message without a trace."""


class PlantConfigError(ForesightError):
    """The plant file is missing, malformed or inconsistent."""


class InputDataError(ForesightError):
    """A source export cannot be read into the canonical schema."""


class QualityGateError(ForesightError):
    """A critical data-quality rule failed; downstream work must not run."""


class ModelError(ForesightError):
    """No usable model: nothing trained yet, too few labels, or an incompatible bundle."""


class WritebackError(ForesightError):
    """The CMMS write-back failed; the transaction was rolled back and the CMMS is unchanged."""
