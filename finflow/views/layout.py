"""Positions for big views, computed once here so the browser runs no physics.

vis-network's physics stops being usable somewhere past 1–2k nodes, and a layout that depends
on the browser is not reproducible. This is a plain Fruchterman–Reingold layout in numpy
(networkx's needs scipy for graphs this size), seeded, so the same graph gets the same
positions and the same HTML bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["spring_positions"]


def spring_positions(
    keys: Sequence[str],
    edges: Sequence[tuple[str, str]],
    *,
    iterations: int = 50,
    seed: int = 7,
    scale: float = 1000.0,
) -> dict[str, tuple[int, int]]:
    """Integer canvas coordinates per key (rounded, so tiny float noise cannot change bytes)."""
    n = len(keys)
    if n == 0:
        return {}
    index = {k: i for i, k in enumerate(keys)}
    pairs = np.array(
        [(index[a], index[b]) for a, b in edges if a in index and b in index and a != b],
        dtype=np.int64,
    ).reshape(-1, 2)
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2), dtype=np.float64)
    k = 1.0 / np.sqrt(n)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
    for _ in range(iterations):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        force = dx * dx
        force += dy * dy
        np.fill_diagonal(force, 1.0)
        np.maximum(force, np.float32(1e-6), out=force)
        # Repulsion k²/d along the unit vector: delta · k²/d².
        np.divide(np.float32(k * k), force, out=force)
        disp = np.stack([(dx * force).sum(axis=1), (dy * force).sum(axis=1)], axis=1)
        if len(pairs):
            d = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            length = np.sqrt((d * d).sum(axis=1))[:, None]
            pull = d * length / k  # attraction d²/k along the unit vector
            for axis in (0, 1):
                disp[:, axis] -= np.bincount(pairs[:, 0], pull[:, axis], minlength=n)
                disp[:, axis] += np.bincount(pairs[:, 1], pull[:, axis], minlength=n)
        length = np.sqrt((disp * disp).sum(axis=1))[:, None]
        np.maximum(length, 1e-9, out=length)
        pos += disp / length * np.minimum(length, temperature)
        x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
        temperature -= cooling
    pos -= pos.mean(axis=0)
    span = np.abs(pos).max() or 1.0
    coords = np.rint(pos / span * scale * np.sqrt(n / 100.0 if n > 100 else 1.0)).astype(int)
    return {key: (int(x), int(y)) for key, (x, y) in zip(keys, coords, strict=True)}
