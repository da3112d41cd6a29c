"""Source and application of funds on generated cases: controllers against salaried decoys.

Usage: python benchmarks/bench_funds.py [--seeds 10] [--size 1000] [--first-seed 0]

For each seed, ``finflow synth --seed N --size SIZE`` is imported into a fresh case, every
detector runs, and ``finflow funds`` is computed for

- every planted ring's controller (the generator's ``controller``, ``manager`` and ``organiser``
  roles): the share of its inflow that ordinary income does not explain, and
- every account of a decoy scenario (innocent look-alikes) that receives salary or pension:
  the same share.

Prints one line per seed and the summary: how many controllers have most (> 50 %) of their
inflow unexplained, and the largest unexplained share of a salaried decoy (target: <= 20 %).
Also checks, for every account looked at and every month, that explained + unexplained = inflow.
The generator's ground truth is read only here, to score; finflow never sees it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from finflow.analysis import analyse
from finflow.case import open_case
from finflow.config import load_config
from finflow.funds import source_and_application
from finflow.investigate import discover_files
from finflow.synth.build import generate

CONTROLLER_ROLES = ("controller", "manager", "organiser")


def _accounts(entries: list) -> list[str]:
    accounts = [e.get("account") if isinstance(e, dict) else e for e in entries]
    return [a for a in accounts if a]


def _reconciles(result) -> bool:
    for entry in result.currencies:
        for figures in [entry, *entry["months"]]:
            if figures["explained_minor"] + figures["unexplained_minor"] != figures["inflow_minor"]:
                return False
            if sum(figures["inflow_by_class"].values()) != figures["inflow_minor"]:
                return False
    return True


def run_seed(seed: int, size: int, work: Path) -> dict:
    out = work / f"seed{seed}"
    generate(seed, size, out / "gen")
    case = open_case(out / "case")
    case.import_files(discover_files(out / "gen"))
    truth = json.loads((out / "gen" / "ground_truth.json").read_text(encoding="utf-8"))
    config = load_config()
    analysis = analyse(case.data(), config)
    controllers, decoys, ok = [], [], True
    for scenario in truth["scenarios"]:
        for role in CONTROLLER_ROLES:
            for account in _accounts(scenario["roles"].get(role, [])):
                result = source_and_application(analysis, account, config)
                ok &= _reconciles(result)
                controllers.append((scenario["id"], account, result.unexplained_share("NOK")))
    for decoy in truth["decoys"]:
        for role, entries in decoy["roles"].items():
            for account in _accounts(entries):
                try:
                    result = source_and_application(analysis, account, config)
                except Exception:  # an account the decoy names but that has no transaction
                    continue
                ok &= _reconciles(result)
                nok = next((e for e in result.currencies if e["currency"] == "NOK"), None)
                if nok and nok["inflow_by_class"]["salary_pension"] > 0:
                    decoys.append((decoy["id"], role, account, nok["unexplained_share"]))
    return {"seed": seed, "controllers": controllers, "decoys": decoys, "reconciles": ok}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=1000)
    args = parser.parse_args(argv)
    started = time.monotonic()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            run = run_seed(seed, args.size, Path(tmp))
            runs.append(run)
            worst_c = min((s for *_, s in run["controllers"]), default=float("nan"))
            worst_d = max((s for *_, s in run["decoys"]), default=float("nan"))
            print(
                f"seed {seed}: {len(run['controllers'])} controller(s), lowest unexplained {worst_c:.0%}; "
                f"{len(run['decoys'])} salaried decoy account(s), highest unexplained {worst_d:.0%}; "
                f"reconciles {run['reconciles']}"
            )
    controllers = [c for run in runs for c in run["controllers"]]
    decoys = [d for run in runs for d in run["decoys"]]
    most = sum(1 for *_, share in controllers if share > 0.5)
    over = [d for d in decoys if d[-1] > 0.2]
    print(f"\ncontrollers with most inflow unexplained: {most} of {len(controllers)}")
    if controllers:
        shares = sorted(s for *_, s in controllers)
        print(f"controller unexplained share: min {shares[0]:.1%}, median {shares[len(shares) // 2]:.1%}")
    if decoys:
        shares = sorted(d[-1] for d in decoys)
        print(f"salaried decoy accounts: {len(decoys)}, unexplained share max {shares[-1]:.1%}, "
              f"median {shares[len(shares) // 2]:.1%}; over 20 %: {len(over)}")  # fmt: skip
    for decoy in over:
        print(f"  over 20 %: {decoy}")
    for scenario, account, share in controllers:
        if share <= 0.5:
            print(f"  controller with half or more explained: {scenario} {account} {share:.1%}")
    print(f"every figure reconciles: {all(run['reconciles'] for run in runs)}")
    print(f"{time.monotonic() - started:.0f} s for {len(runs)} seeds of size {args.size}")
    ok = most == len(controllers) and not over and all(run["reconciles"] for run in runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
