"""Named random streams spawned from one seed (STYLE.md §4).

Every random draw in patrolsim comes from a generator returned here. Streams are keyed by
name, so adding a stream never changes the numbers an existing one produces, and the
``violations`` stream is the same under every policy (common random numbers).
"""

from __future__ import annotations

import hashlib

import numpy as np


def _name_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def stream(seed: int, name: str, *sub: int) -> np.random.Generator:
    """Return the generator for stream ``name`` (and optional integer sub-keys) of ``seed``.

    Parameters
    ----------
    seed
        The run's seed, a non-negative integer.
    name
        The stream's name, e.g. ``"violations"``, ``"detection"``, ``"travel"``.
    sub
        Further non-negative integers that split the stream, e.g. a patch index.
    """
    if seed < 0:
        raise ValueError(f"Expected seed >= 0, got {seed}.")
    return np.random.default_rng(np.random.SeedSequence([seed, _name_key(name), *sub]))
