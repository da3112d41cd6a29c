"""``generate(seed, size, out_dir)``: build a world, plant scenarios and decoys, write the case.

Order matters for reproducibility: one root generator (``numpy.random.default_rng(seed)``) is
split into independent streams for the world, the scenarios and each background month, so the
same seed and size always give byte-identical files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from finflow.synth import decoys, scenarios
from finflow.synth.background import month_rows, months, plan
from finflow.synth.context import Ctx
from finflow.synth.ledger import Ledger, Strings, Truth
from finflow.synth.population import build_population
from finflow.synth.world import World
from finflow.synth.writers import (
    TransactionWriter,
    write_accounts,
    write_brreg,
    write_leases,
    write_persons,
    write_truth,
)

__all__ = ["SPLIT_ABOVE", "SynthSummary", "generate", "parse_size"]

#: Cases larger than this are written as one ``transactions-NNNN.csv`` per calendar month.
SPLIT_ABOVE = 2_000_000
MIN_SIZE = 500
MAX_SIZE = 50_000_000
_PERIOD_END = date(2026, 9, 30)
_ROWS_PER_PERSON_MONTH = 20.6


@dataclass(frozen=True)
class SynthSummary:
    """What was written, for the CLI to print and tests to check."""

    seed: int
    size: int
    out_dir: Path
    period_start: date
    period_end: date
    transactions: int
    accounts: int
    persons: int
    companies: int
    leases: int
    scenarios: dict[str, int]
    decoys: dict[str, int]
    files: list[str] = field(default_factory=list)


def parse_size(text: str | int) -> int:
    """``1000``, ``10k``, ``100k``, ``1M``, ``2.5M``, ``10M`` → an integer transaction count."""
    if isinstance(text, int):
        return text
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not match:
        raise ValueError(f"size {text!r}: expected a number like 1000, 10k, 1M")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return round(float(match.group(1)) * factor)


def _count(rng: np.random.Generator, size: int, per: int) -> int:
    """One per ``per`` transactions (at least one), with some noise."""
    return max(1, round(size / per * float(rng.uniform(0.8, 1.2))))


def _scenario_estimate(size: int) -> float:
    """Rough row count of scenarios and decoys, to size the ordinary population up front."""
    return min(0.75 * size, 700 + 0.09 * size)


def generate(seed: int, size: int, out_dir: str | Path) -> SynthSummary:
    """Write a synthetic case of about ``size`` transactions to ``out_dir``.

    Raises ``ValueError`` for a negative seed or a size outside [500, 50M].
    """
    if seed < 0:
        raise ValueError(f"seed {seed}: must be zero or positive")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size {size}: must be between {MIN_SIZE} and {MAX_SIZE}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("transactions*.csv"):
        stale.unlink()

    root = np.random.default_rng(seed)
    end = _PERIOD_END + timedelta(days=int(root.integers(-14, 15)))
    n_days = int(root.integers(176, 191))
    start = end - timedelta(days=n_days - 1)
    world_rng, scenario_rng, background_rng = root.spawn(3)
    world = World(world_rng, start, end)
    strings = Strings()
    ledger = Ledger(strings)
    truth = Truth()
    density = min(1.0, size / 50_000)
    ctx = Ctx(world, ledger, truth, scenario_rng, n_days, density)

    n_months = n_days / 30.44
    n_full = max(4, int((size - _scenario_estimate(size)) / (_ROWS_PER_PERSON_MONTH * n_months)))
    full = build_population(ctx, n_full, max(0, 400 - n_full))

    planted = {
        "sex_trafficking": (_count(scenario_rng, size, 50_000), scenarios.sex_trafficking),
        "labour_exploitation": (_count(scenario_rng, size, 100_000), scenarios.labour_exploitation),
        "forced_begging": (_count(scenario_rng, size, 150_000), scenarios.forced_begging),
        "mule_chain": (_count(scenario_rng, size, 100_000), scenarios.mule_chain),
        "round_trip": (_count(scenario_rng, size, 200_000), scenarios.round_trip),
    }
    for count, build in planted.values():
        for _ in range(count):
            build(ctx)
    per_decoy = 1 if size < 10_000 else 2 if size < 100_000 else min(25, 3 + size // 500_000)
    for build in decoys.DECOYS:
        for _ in range(per_decoy):
            build(ctx)

    in_full = set(full)
    everyone = full + [p for p in ctx.extra_full if p not in in_full]
    planted_rows = ledger.columns(n_days)
    target = max(0.2 * size, size - planted_rows["day"].size)
    habits = plan(ctx, everyone, strings, int(target))

    writer = TransactionWriter(out, world, strings, seed, n_days, split=size > SPLIT_ABOVE)
    month_list = months(start, n_days)
    month_rngs = background_rng.spawn(len(month_list))
    for (m0, d0, d1, month), rng in zip(month_list, month_rngs, strict=True):
        in_month = (planted_rows["day"] >= d0) & (planted_rows["day"] < d1)
        blocks = [{k: v[in_month] for k, v in planted_rows.items()}]
        blocks += month_rows(ctx, habits, strings, m0, d0, d1, month, rng)
        writer.write_block({k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]})

    n_accounts = write_accounts(out / "accounts.csv", world)
    n_persons = write_persons(out / "persons.csv", world)
    n_leases = write_leases(out / "leases.csv", world, seed)
    n_companies = write_brreg(out / "brreg_enheter.json", out / "brreg_roller.json", world)
    header = {
        "seed": seed,
        "size": size,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "transactions": writer.count,
    }
    write_truth(out / "ground_truth.json", truth, writer, header)
    kinds: dict[str, dict[str, int]] = {"scenarios": {}, "decoys": {}}
    for entry in truth.entries:
        bucket = kinds["decoys" if entry.decoy else "scenarios"]
        bucket[entry.type] = bucket.get(entry.type, 0) + 1
    files = [p.name for p in writer.files] + [
        "accounts.csv",
        "persons.csv",
        "leases.csv",
        "brreg_enheter.json",
        "brreg_roller.json",
        "ground_truth.json",
    ]
    return SynthSummary(
        seed,
        size,
        out,
        start,
        end,
        writer.count,
        n_accounts,
        n_persons,
        n_companies,
        n_leases,
        kinds["scenarios"],
        kinds["decoys"],
        files,
    )
