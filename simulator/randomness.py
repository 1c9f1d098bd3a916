"""Deterministic randomness: seeded generators per purpose/day and counter-based hashes.

Sensor noise and per-reading defects use a hash of (seed, salt, channel, minute) instead
of a sequential generator, so any single reading can be re-rendered on its own (late
readings of earlier days) without replaying the whole history.
"""

from __future__ import annotations

import zlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_K_CH = np.uint64(0xD6E8FEB86659FD93)
_K_T = np.uint64(0xA0761D6478BD642F)


def salt_of(name: str) -> int:
    """Return a stable integer for a purpose name (Python's hash() is salted per process)."""
    return zlib.crc32(name.encode())


def rng_for(seed: int, purpose: str, *keys: int) -> np.random.Generator:
    """Return an independent generator for one purpose (and optionally one day/asset)."""
    return np.random.Generator(np.random.PCG64([seed, salt_of(purpose), *keys]))


def _mix(x: np.ndarray) -> np.ndarray:
    """Apply the splitmix64 finaliser element-wise (uint64 wrap-around is intended)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def hash_bits(seed: int, purpose: str, ch: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Return 64 pseudo-random bits per (channel, minute); ch and t broadcast."""
    base = np.uint64((seed * 0x100000001B3 + salt_of(purpose)) % 2**64)
    with np.errstate(over="ignore"):
        x = (np.asarray(ch).astype(np.uint64) * _K_CH) ^ (np.asarray(t).astype(np.uint64) * _K_T)
        return _mix(x + base * _GOLDEN)


def hash_uniform(seed: int, purpose: str, ch: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Return uniforms in [0, 1) per (channel, minute)."""
    return (hash_bits(seed, purpose, ch, t) >> np.uint64(11)) * (1.0 / 2**53)


def hash_normal(seed: int, purpose: str, ch: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Return standard normals per (channel, minute) via Box-Muller on two 32-bit halves."""
    bits = hash_bits(seed, purpose, ch, t)
    u1 = ((bits >> np.uint64(32)).astype(np.float64) + 0.5) * (1.0 / 2**32)
    u2 = (bits & np.uint64(0xFFFFFFFF)).astype(np.float64) * (1.0 / 2**32)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def sparse_positions(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """Return sorted unique positions in [0, n), each chosen with probability ~rate.

    Geometric skipping draws only ~rate*n numbers, which keeps picking 1 % of a
    28.8 M-reading day cheap.
    """
    if rate <= 0 or n <= 0:
        return np.zeros(0, dtype=np.int64)
    expected = int(n * rate * 1.2) + 16
    steps = rng.geometric(min(rate, 1.0), size=expected)
    pos = np.cumsum(steps) - 1
    while pos[-1] < n:  # rarely needed: extend until the range is covered
        more = np.cumsum(rng.geometric(min(rate, 1.0), size=expected)) + pos[-1]
        pos = np.concatenate([pos, more])
    return pos[pos < n].astype(np.int64)
