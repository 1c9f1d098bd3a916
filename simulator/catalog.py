"""Static description of the asset types the demo plant is built from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SensorSpec:
    """One sensor of an asset type; levels are in the canonical unit."""

    name: str
    unit: str
    description: str
    min_valid: float
    max_valid: float
    normal: float  # level while running at 75 % load
    noise: float  # standard deviation of measurement noise
    load_gain: float  # relative level change per +100 % load
    idle: float  # level while the asset is stopped
    ambient: float = 0.0  # sensitivity to the seasonal ambient temperature swing


@dataclass(frozen=True)
class FailureMode:
    """A way a component fails, and how its degradation shows in the sensors."""

    code: str
    name: str
    description: str
    effects: tuple[tuple[str, float], ...]  # (sensor, relative change of normal at full damage)


@dataclass(frozen=True)
class ComponentSpec:
    """A wearing part; life is in load-weighted operating days."""

    name: str
    life_days: float
    modes: tuple[FailureMode, ...]


@dataclass(frozen=True)
class AssetTypeSpec:
    """An asset type: id prefix, nameplate data, sensors and wearing components."""

    name: str
    prefix: str
    description: str
    manufacturers: tuple[str, ...]
    models: tuple[str, ...]
    sensors: tuple[SensorSpec, ...]
    components: tuple[ComponentSpec, ...]

    def sensor_index(self, name: str) -> int:
        """Return the position of a sensor by name."""
        return [s.name for s in self.sensors].index(name)


S = SensorSpec
M = FailureMode

_PUMP_SENSORS = (
    S("bearing_temp_de", "degC", "Drive-end bearing temperature", -20, 150, 62, 0.8, 0.25, 24, 0.5),
    S("bearing_temp_nde", "degC", "Non-drive-end bearing temp", -20, 150, 58, 0.8, 0.2, 24, 0.5),
    S("vibration_rms", "mm/s", "Overall vibration velocity RMS", 0, 50, 2.2, 0.15, 0.3, 0.1),
    S("vibration_peak", "mm/s", "Vibration velocity peak", 0, 120, 5.5, 0.5, 0.3, 0.3),
    S("motor_current", "A", "Motor phase current", 0, 400, 118, 2.0, 0.9, 0.4),
    S("discharge_pressure", "bar", "Discharge pressure", 0, 40, 12.5, 0.15, 0.5, 1.0),
    S("suction_pressure", "bar", "Suction pressure", -1, 10, 2.1, 0.05, -0.1, 2.3),
    S("flow", "m3/h", "Volumetric flow", 0, 500, 210, 3.0, 1.0, 0.0),
    S("speed", "rpm", "Shaft speed", 0, 3600, 2950, 4.0, 0.05, 0.0),
    S("power", "kW", "Electrical power", 0, 250, 75, 1.2, 1.0, 0.2),
    S("seal_temp", "degC", "Seal chamber temperature", -20, 150, 45, 0.6, 0.15, 22, 0.5),
    S("casing_temp", "degC", "Pump casing temperature", -20, 150, 40, 0.5, 0.1, 20, 0.7),
)

_PUMP_COMPONENTS = (
    ComponentSpec(
        "bearing",
        520,
        (
            M(
                "BRG-WEAR",
                "bearing_wear",
                "Rolling bearing wear / pitting",
                (("vibration_rms", 1.6), ("vibration_peak", 2.2), ("bearing_temp_de", 0.3)),
            ),
            M(
                "BRG-LUBE",
                "bearing_lubrication",
                "Bearing lubrication failure",
                (("bearing_temp_de", 0.45), ("bearing_temp_nde", 0.3), ("vibration_rms", 0.6)),
            ),
        ),
    ),
    ComponentSpec(
        "seal",
        600,
        (
            M(
                "SEAL-LEAK",
                "seal_leak",
                "Mechanical seal leakage",
                (("seal_temp", 0.5), ("discharge_pressure", -0.12), ("flow", -0.1)),
            ),
        ),
    ),
    ComponentSpec(
        "impeller",
        900,
        (
            M(
                "IMP-EROS",
                "impeller_erosion",
                "Impeller erosion / cavitation damage",
                (
                    ("flow", -0.25),
                    ("discharge_pressure", -0.2),
                    ("vibration_peak", 0.9),
                    ("motor_current", 0.08),
                ),
            ),
        ),
    ),
)

_COMPRESSOR_SENSORS = (
    S("discharge_pressure", "bar", "Discharge pressure", 0, 16, 8.0, 0.08, 0.3, 0.5),
    S("discharge_temp", "degC", "Air discharge temperature", -20, 200, 88, 1.0, 0.3, 25, 0.6),
    S("oil_temp", "degC", "Lubricating oil temperature", -20, 150, 72, 0.7, 0.2, 24, 0.5),
    S("oil_pressure", "bar", "Lubricating oil pressure", 0, 10, 3.2, 0.05, 0.05, 0.0),
    S("vibration_rms", "mm/s", "Overall vibration velocity RMS", 0, 50, 3.1, 0.2, 0.3, 0.1),
    S("motor_current", "A", "Motor phase current", 0, 600, 240, 3.0, 0.9, 0.5),
    S("power", "kW", "Electrical power", 0, 300, 132, 1.5, 1.0, 0.3),
    S("speed", "rpm", "Motor speed", 0, 3600, 2975, 3.0, 0.02, 0.0),
    S("cooler_outlet_temp", "degC", "Aftercooler outlet temp", -20, 120, 35, 0.5, 0.2, 18, 0.9),
    S("valve_temp", "degC", "Inlet valve housing temperature", -20, 200, 55, 0.6, 0.2, 20, 0.5),
)

_COMPRESSOR_COMPONENTS = (
    ComponentSpec(
        "valve",
        480,
        (
            M(
                "VLV-FAIL",
                "valve_failure",
                "Inlet/outlet valve failure",
                (("valve_temp", 0.45), ("discharge_pressure", -0.15), ("discharge_temp", 0.12)),
            ),
        ),
    ),
    ComponentSpec(
        "bearing",
        650,
        (
            M(
                "BRG-WEAR",
                "bearing_wear",
                "Rolling bearing wear / pitting",
                (("vibration_rms", 1.4), ("oil_temp", 0.2)),
            ),
        ),
    ),
    ComponentSpec(
        "cooler",
        560,
        (
            M(
                "COOL-FOUL",
                "cooler_fouling",
                "Aftercooler / oil cooler fouling",
                (("cooler_outlet_temp", 0.6), ("oil_temp", 0.15), ("discharge_temp", 0.1)),
            ),
        ),
    ),
)

_MOTOR_SENSORS = (
    S("winding_temp_u", "degC", "Winding temp phase U", -20, 180, 85, 0.9, 0.4, 22, 0.5),
    S("winding_temp_v", "degC", "Winding temp phase V", -20, 180, 84, 0.9, 0.4, 22, 0.5),
    S("winding_temp_w", "degC", "Winding temp phase W", -20, 180, 86, 0.9, 0.4, 22, 0.5),
    S("bearing_temp_de", "degC", "Drive-end bearing temperature", -20, 150, 55, 0.7, 0.2, 21, 0.5),
    S("bearing_temp_nde", "degC", "Non-drive-end bearing temp", -20, 150, 52, 0.7, 0.2, 21, 0.5),
    S("vibration_rms_de", "mm/s", "Drive-end vibration RMS", 0, 50, 1.8, 0.12, 0.3, 0.1),
    S("vibration_rms_nde", "mm/s", "Non-drive-end vibration RMS", 0, 50, 1.6, 0.12, 0.3, 0.1),
    S("vibration_axial", "mm/s", "Axial vibration RMS", 0, 50, 1.1, 0.1, 0.2, 0.1),
    S("motor_current_u", "A", "Phase U current", 0, 300, 62, 1.0, 0.9, 0.2),
    S("motor_current_v", "A", "Phase V current", 0, 300, 61, 1.0, 0.9, 0.2),
    S("motor_current_w", "A", "Phase W current", 0, 300, 62, 1.0, 0.9, 0.2),
    S("supply_voltage", "V", "Supply voltage", 0, 500, 400, 2.0, -0.01, 402),
    S("power", "kW", "Electrical power", 0, 150, 37, 0.6, 1.0, 0.1),
    S("power_factor", "%", "Power factor", 0, 100, 86, 0.5, 0.05, 0.0),
    S("speed", "rpm", "Motor speed", 0, 1600, 1480, 2.0, -0.01, 0.0),
    S("belt_speed", "m/s", "Conveyor belt speed", 0, 5, 2.5, 0.02, 0.0, 0.0),
    S("belt_tension", "kN", "Belt tension", 0, 60, 24, 0.4, 0.2, 12),
    S("torque", "Nm", "Shaft torque", 0, 600, 240, 4.0, 1.0, 0.0),
    S("gearbox_oil_temp", "degC", "Gearbox oil temperature", -20, 150, 60, 0.6, 0.25, 22, 0.5),
    S("load_pct", "%", "Drive load as % of rated", 0, 150, 75, 1.0, 1.0, 0.0),
)

_MOTOR_COMPONENTS = (
    ComponentSpec(
        "winding",
        800,
        (
            M(
                "WIND-INSUL",
                "winding_insulation",
                "Stator winding insulation breakdown",
                (
                    ("winding_temp_u", 0.3),
                    ("winding_temp_v", 0.22),
                    ("motor_current_u", 0.08),
                    ("power_factor", -0.06),
                ),
            ),
        ),
    ),
    ComponentSpec(
        "bearing",
        560,
        (
            M(
                "BRG-WEAR",
                "bearing_wear",
                "Rolling bearing wear / pitting",
                (("vibration_rms_de", 1.5), ("vibration_axial", 0.8), ("bearing_temp_de", 0.3)),
            ),
        ),
    ),
    ComponentSpec(
        "belt",
        450,
        (
            M(
                "BELT-SLIP",
                "belt_slip",
                "Belt slip / wear",
                (("belt_tension", -0.3), ("belt_speed", -0.06), ("vibration_rms_nde", 0.6)),
            ),
            M(
                "BELT-TEAR",
                "belt_tear",
                "Belt edge tear / splice damage",
                (("vibration_rms_nde", 1.1), ("belt_tension", -0.15)),
            ),
        ),
    ),
)

ASSET_TYPES: dict[str, AssetTypeSpec] = {
    "centrifugal_pump": AssetTypeSpec(
        "centrifugal_pump",
        "P",
        "Centrifugal process pump",
        ("KSB", "Grundfos", "Sulzer"),
        ("Etanorm 80-200", "NB 100-250", "AHLSTAR A22"),
        _PUMP_SENSORS,
        _PUMP_COMPONENTS,
    ),
    "air_compressor": AssetTypeSpec(
        "air_compressor",
        "C",
        "Oil-injected screw air compressor",
        ("Atlas Copco", "Kaeser", "Ingersoll Rand"),
        ("GA 132", "CSD 125", "R132n"),
        _COMPRESSOR_SENSORS,
        _COMPRESSOR_COMPONENTS,
    ),
    "conveyor_motor": AssetTypeSpec(
        "conveyor_motor",
        "M",
        "Conveyor drive motor with gearbox and belt",
        ("Siemens", "ABB", "SEW"),
        ("1LE1 37kW", "M3BP 250", "DRN250"),
        _MOTOR_SENSORS,
        _MOTOR_COMPONENTS,
    ),
}


def failure_codes() -> list[tuple[str, str, str]]:
    """Return (code, component, description) for every failure mode, deduplicated."""
    seen: dict[str, tuple[str, str, str]] = {}
    for spec in ASSET_TYPES.values():
        for comp in spec.components:
            for mode in comp.modes:
                seen.setdefault(mode.code, (mode.code, comp.name, mode.description))
    return sorted(seen.values())
