"""Synthetic case generator: a believable population with planted trafficking patterns.

>>> from finflow.synth import generate
>>> summary = generate(seed=7, size=20_000, out_dir="case-7")   # doctest: +SKIP

See ``docs/synth.md`` for the files written and the ground-truth keys.
"""

from finflow.synth.build import SynthSummary, generate, parse_size

__all__ = ["SynthSummary", "generate", "parse_size"]
