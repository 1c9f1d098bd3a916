"""Reason codes of quarantined rows: every row kept out of the clean set carries exactly one."""

INVALID_ENCODING = "invalid_text_encoding"
MALFORMED_LINE = "malformed_line"
MALFORMED_TIMESTAMP = "malformed_timestamp"
NON_NUMERIC_VALUE = "non_numeric_value"
MISSING_KEY = "missing_asset_or_sensor"
UNKNOWN_ASSET = "unknown_asset_id"
UNKNOWN_SENSOR = "unknown_sensor_for_asset_type"
UNIT_MISMATCH = "unit_mismatch"
BAD_QUALITY = "bad_quality_flag"
FUTURE_TIMESTAMP = "future_timestamp"
BEFORE_COMMISSIONING = "before_commissioning"
OUT_OF_RANGE = "out_of_valid_range"
DUPLICATE = "duplicate_reading"

DESCRIPTIONS = {
    INVALID_ENCODING: "text holds bytes that are not UTF-8 (the export is not UTF-8 encoded)",
    MALFORMED_LINE: "the CSV line has more fields than the header (an unquoted separator?)",
    MALFORMED_TIMESTAMP: "timestamp text is not ISO 8601 with an offset",
    NON_NUMERIC_VALUE: "value is empty or not a number",
    MISSING_KEY: "asset id or tag is empty",
    UNKNOWN_ASSET: "asset id is not in the asset register",
    UNKNOWN_SENSOR: "tag is not declared for this asset type in the tag catalogue",
    UNIT_MISMATCH: "unit differs from the canonical unit and has no known conversion",
    BAD_QUALITY: "the historian marked the reading as bad",
    FUTURE_TIMESTAMP: "stamped after the export night it arrived in",
    BEFORE_COMMISSIONING: "stamped before the asset was commissioned",
    OUT_OF_RANGE: "outside the sensor's physically valid range",
    DUPLICATE: "same asset, tag and timestamp already received",
}
