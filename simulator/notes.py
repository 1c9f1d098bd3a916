"""Technician free-text notes in the varied wording real CMMS data has."""

from __future__ import annotations

import numpy as np

FAILURE_NOTES: dict[str, tuple[str, ...]] = {
    "BRG-WEAR": (
        "replaced DE bearing, heavy pitting on outer race",
        "brg noisy -> swapped",
        "Bearing failed, high vibration alarm. New bearing fitted, aligned coupling.",
        "bearing worn out, replaced both DE/NDE brgs",
        "loud grinding noise from drive end. brg change done",
    ),
    "BRG-LUBE": (
        "bearing ran hot, grease dried out - replaced bearing + relubed",
        "brg overtemp trip. lubrication failure, bearing renewed",
        "no grease in DE housing, bearing discoloured -> replaced",
    ),
    "SEAL-LEAK": (
        "mech seal leaking at gland, renewed seal kit",
        "seal leak, product on floor. replaced mechanical seal",
        "leakage at shaft seal -> new seal installed, flushed",
    ),
    "IMP-EROS": (
        "low flow, impeller eroded (cavitation marks). impeller replaced",
        "pump not making pressure. opened casing, impeller worn -> new one",
        "imp. erosion found, replaced + wear ring",
    ),
    "VLV-FAIL": (
        "inlet valve broken, replaced valve plate and springs",
        "compressor unloading fault, valve failed -> changed",
        "discharge valve leaking, hot valve cover. valve replaced",
    ),
    "COOL-FOUL": (
        "high discharge temp trip, aftercooler fouled. cleaned/replaced core",
        "cooler blocked w/ dirt, replaced cooler",
        "overheating - oil cooler fouling, new cooler fitted",
    ),
    "WIND-INSUL": (
        "motor tripped on earth fault, winding insulation failed. motor rewound",
        "megger test low on phase U -> stator rewind",
        "burnt smell, winding damage. exchanged motor",
    ),
    "BELT-SLIP": (
        "belt slipping, worn. new belt fitted and tensioned",
        "conveyor belt slip -> replaced belt",
        "belt glazed + slipping, changed",
    ),
    "BELT-TEAR": (
        "belt edge torn, splice failed. belt replaced",
        "belt damaged (tear at splice) -> new belt",
    ),
}

PM_NOTES = (
    "PM done, all OK",
    "greased bearings, vib normal",
    "routine PM completed. checked alignment, no findings",
    "PM: oil level ok, filters changed",
    "preventive maintenance as per plan, nothing abnormal",
    "PM done. cleaned, tightened terminals",
)

PM_REPLACE_NOTES = (
    "PM: {comp} showing wear, replaced as precaution",
    "during PM found {comp} worn -> changed",
    "PM + replaced {comp} (wear beyond limit)",
)

INSP_NOTES = (
    "operator reported noise, checked - nothing found",
    "adjusted belt tension slightly",
    "cleaned sensor housing, re-fixed cable",
    "checked coupling alignment, minor correction",
    "tightened loose guard bolts",
    "visual inspection ok",
    "replaced indicator lamp on local panel",
    "re-calibrated pressure transmitter",
)

CANCEL_NOTES = ("cancelled - asset not available (production)", "PM postponed, cancelled", "")


def pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    """Return one option, drawn with the given generator."""
    return options[int(rng.integers(0, len(options)))]
