"""Detection quality (and speed) on generated cases with a known answer key.

For every seed × size: generate a case (``finflow.synth.generate``), import it through the case
store, resolve parties on strong keys, run the whole detector catalogue and rank subjects. Then,
against ``ground_truth.json``:

- per detector: findings, precision (a finding is right when its first subject — the account or
  party the pattern is about — belongs to a planted scenario; a decoy or bystander is wrong), and
  recall per scenario type (share of planted scenarios of that type the detector finds);
- per scenario type: recall of the whole catalogue;
- ranking: precision@10 (top-10 suspects belonging to a scenario), recall@50 (scenario heads —
  controller, manager, organiser, origin, role-holder — among the top 50 suspects), and the share
  of scenarios whose head is in the top 10;
- roles (``finflow.roles`` and the ranking after it, as ``finflow investigate`` runs them): the
  rank of each sex-trafficking ring's controller among the suspects (goal: top 3), of the labour
  boss and the begging organiser (goal: top 10); planted victims (victims, workers, begging
  members) with a row in the suspects table (goal: 0) and the share in the possible-victims table
  (goal: >= 90 %); decoys and mere context counterparties (landlords, hotels, clients, money
  transfer offices) in the suspects table (goal: 0).

Usage::

    python benchmarks/bench_detection.py                       # 20 seeds x 3 sizes (long)
    python benchmarks/bench_detection.py --seeds 3 --sizes 5000,20000
    python benchmarks/bench_detection.py --seeds 20 --sizes 8000 --no-amlgentex   # the role figures
    python benchmarks/bench_detection.py --speed 1000000      # detection time on one large case
    python benchmarks/bench_detection.py --amlgentex-only     # only the foreign-data table

After the own-generator table it reports the AMLGentex development set (``amlgentex_dev.py``):
data finflow did not write, scored per typology.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import amlgentex_dev
import pandas as pd

from finflow.case import open_case
from finflow.casedata import CaseData
from finflow.casekey import case_key
from finflow.config import load_config
from finflow.detect.registry import detectors, run_detector
from finflow.detect.util import AccountInfo
from finflow.ids import org_party_id, person_party_id
from finflow.leads import analyse
from finflow.model import TABLES
from finflow.normalize import normalize_name
from finflow.resolve import resolve_parties
from finflow.subjects import rank_subjects

HEAD_ROLES = ("controller", "manager", "organiser", "origin", "role_holder")
#: Planted people who are victims (for protection), by scenario role.
VICTIM_ROLES = ("victim", "worker", "member")
#: Counterparties that merely receive (or pay) a ring's money: never suspects on that alone.
CONTEXT_ROLES = ("landlord", "hotel", "client", "remittance_beneficiary")
#: Whose rank the role figures report: scenario type -> head role.
LEADS = {"sex_trafficking": "controller", "labour_exploitation": "manager", "forced_begging": "organiser"}


def _ids(ref: dict, key: bytes) -> set[str]:
    out = set()
    if ref.get("account"):
        out.add(str(ref["account"]).replace(" ", "").upper())
    if ref.get("org_number"):
        out.add(org_party_id(str(ref["org_number"])))
    elif ref.get("name") and ref.get("birth_date"):
        out.add(person_party_id(normalize_name(ref["name"]), ref["birth_date"], key))
    return out


def _truth(path: Path, key: bytes) -> list[dict]:
    """Per planted scenario: type, all its ids (accounts, persons, companies) and its head's ids.

    Person ids are keyed with the case key (``key``, from :func:`finflow.casekey.case_key`).
    """
    truth = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for s in truth["scenarios"]:
        ids = {str(a).replace(" ", "").upper() for a in s.get("accounts", [])}
        ids |= {person_party_id(normalize_name(p["name"]), p["birth_date"], key) for p in s.get("persons", [])}
        ids |= {org_party_id(str(c)) for c in s.get("companies", [])}
        head = set()
        for role in HEAD_ROLES:
            for ref in s["roles"].get(role, []):
                if isinstance(ref, dict):
                    head |= _ids(ref, key)
        out.append({"type": s["type"], "ids": ids, "head": head})
    return out


def _load(out_dir: Path) -> CaseData:
    case = open_case(out_dir / "case")
    files = sorted(p for p in out_dir.iterdir() if p.is_file() and p.name != "ground_truth.json")
    for report in case.import_files(files):
        if report.status == "failed":
            raise SystemExit(f"import failed: {report.file}: {report.error}")
    tables = {n: case.table(n).to_pandas(types_mapper=pd.ArrowDtype) for n in TABLES}
    resolved, _ = resolve_parties(tables)
    return CaseData.from_tables(resolved)


def _subject_ids(subject, info: AccountInfo) -> set[str]:
    ids = {subject.id}
    if subject.kind == "account":
        party = info.party.get(subject.id)
        if isinstance(party, str):
            ids.add(party)
    elif subject.kind == "party":
        ids |= set(info.accounts_of(subject.id))
    return ids


def _decoy_accounts(path: Path) -> set[str]:
    """Accounts of the innocent look-alikes (landlords, payroll bureaus, shops …) and their counterparties."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    out = set()
    for decoy in truth.get("decoys", []):
        accounts = decoy.get("accounts", []) + decoy.get("counterparty_accounts", [])
        out |= {str(a).replace(" ", "").upper() for a in accounts}
    return out


def _refs_ids(refs: list, key: bytes) -> set[str]:
    return set().union(*(_ids(r, key) for r in refs if isinstance(r, dict))) if refs else set()


def _role_truth(path: Path, key: bytes) -> dict:
    """Leads, planted victims and context counterparties (each a set of ids) from the answer key."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    leads, victims, context = [], [], set()
    for s in truth["scenarios"]:
        if s["type"] in LEADS:
            leads.append((s["type"], _refs_ids(s["roles"].get(LEADS[s["type"]], []), key)))
        for role in VICTIM_ROLES:
            victims += [_ids(r, key) for r in s["roles"].get(role, []) if isinstance(r, dict)]
        for role in CONTEXT_ROLES:
            context |= _refs_ids(s["roles"].get(role, []), key)
    decoys = set()
    for d in truth.get("decoys", []):
        decoys |= {str(a).replace(" ", "").upper() for a in d.get("accounts", []) + d.get("counterparty_accounts", [])}
        for refs in d["roles"].values():
            decoys |= _refs_ids(refs if isinstance(refs, list) else [], key)
    victim_ids = set().union(*victims) if victims else set()
    return {"leads": leads, "victims": victims, "context": (context | decoys) - victim_ids}


def _role_figures(suspect_ids: list[set[str]], victim_ids: list[set[str]], truth: dict) -> dict:
    """Ranks of the leads, victims among suspects and in the victims table, context in suspects."""
    ranks = {}
    for kind, head in truth["leads"]:
        rank = next((i + 1 for i, m in enumerate(suspect_ids) if m & head), None)
        ranks.setdefault(kind, []).append(rank)
    in_suspects = sum(any(v & m for m in suspect_ids) for v in truth["victims"])
    listed = sum(any(v & m for m in victim_ids) for v in truth["victims"])
    context = sum(bool(m & truth["context"]) for m in suspect_ids)
    return {"lead_ranks": ranks, "victims": len(truth["victims"]), "victims_as_suspects": in_suspects,
            "victims_listed": listed, "context_in_suspects": context}  # fmt: skip


def _main_subject(finding):
    """The account or party a finding is about (address and identifier subjects give context)."""
    return next((s for s in finding.subjects if s.kind in ("account", "party")), finding.subjects[0])


def evaluate(seed: int, size: int, work: Path, config: dict) -> dict:
    from finflow.synth import generate

    out_dir = work / f"s{seed}-{size}"
    generate(seed, size, out_dir)
    data = _load(out_dir)
    truth = _truth(out_dir / "ground_truth.json", case_key(out_dir / "case"))
    decoys = _decoy_accounts(out_dir / "ground_truth.json")
    info = AccountInfo(data)
    result: dict = {"per_detector": {}, "timing": {}, "n_tx": len(data.transactions)}
    findings = []
    started = time.perf_counter()
    for detector in detectors():
        t0 = time.perf_counter()
        found = run_detector(detector, data, config[detector.section])
        result["timing"][detector.name] = time.perf_counter() - t0
        findings.extend(found)
        correct, hit = 0, set()
        for f in found:
            ids = _subject_ids(_main_subject(f), info)
            matched = [i for i, s in enumerate(truth) if ids & s["ids"]]
            correct += bool(matched)
            hit.update(matched)
        named = {s.id for f in found for s in f.subjects if s.kind == "account"}
        result["per_detector"][detector.name] = {
            "findings": len(found),
            "correct": correct,
            "hit_types": [truth[i]["type"] for i in sorted(hit)],
            "decoys_named": len(named & decoys),
        }
    result["detect_seconds"] = time.perf_counter() - started
    t0 = time.perf_counter()
    ranking = analyse(findings, data, config).ranking
    result["rank_seconds"] = time.perf_counter() - t0
    suspects = ranking.suspects

    def members(row) -> set[str]:
        ids = {row.subject_id} | set(filter(None, str(row.accounts or "").split(",")))
        if row.subject_kind == "party":
            ids |= set(info.accounts_of(row.subject_id))
        return ids

    rows = [members(r) for r in suspects.itertuples(index=False)]
    victim_rows = [members(r) for r in ranking.victims.itertuples(index=False)]
    result["roles"] = _role_figures(
        rows, victim_rows, _role_truth(out_dir / "ground_truth.json", case_key(out_dir / "case"))
    )
    top10 = rows[:10]
    result["p_at_10"] = (sum(any(m & s["ids"] for s in truth) for m in top10) / len(top10)) if top10 else 0.0
    head_found_50 = [any(m & s["head"] for m in rows[:50]) for s in truth]
    head_found_10 = [any(m & s["head"] for m in rows[:10]) for s in truth]
    result["r_at_50"] = sum(head_found_50) / len(truth) if truth else 1.0
    result["head_in_top10"] = sum(head_found_10) / len(truth) if truth else 1.0
    result["types"] = [s["type"] for s in truth]
    result["caught_types"] = [s["type"] for i, s in enumerate(truth) if any(
        i in {j for j, t in enumerate(truth) if _subject_ids(_main_subject(f), info) & t["ids"]} for f in findings
    )]  # fmt: skip
    return result


def speed(size: int, seed: int, config: dict, keep: Path | None = None) -> None:
    """Per-detector, ranking and network times on one generated case of ``size`` transactions."""
    from finflow.networks import find_networks, subject_context
    from finflow.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        out_dir = keep or Path(tmp) / "case"
        if not (out_dir / "ground_truth.json").exists():
            generate(seed, size, out_dir)
        data = _load(out_dir)
        print(f"speed on {len(data.transactions)} transactions (seed {seed})")
        findings, total = [], 0.0
        for detector in detectors():
            t0 = time.perf_counter()
            found = run_detector(detector, data, config[detector.section])
            spent = time.perf_counter() - t0
            total += spent
            findings.extend(found)
            print(f"  {detector.name:24s} {spent:7.2f} s  {len(found):5d} findings")
        print(f"  {'all detectors':24s} {total:7.2f} s")
        ranking = analyse(findings, data, config).ranking
        top_accounts = sorted({a for cell in ranking.suspects["accounts"].head(50) for a in str(cell).split(",") if a})
        steps = {
            "rank_subjects": lambda: rank_subjects(findings, data, config),
            "roles + ranking + networks": lambda: analyse(findings, data, config),
            "find_networks": lambda: find_networks(data, findings, config),
            "subject_context (top 50)": lambda: subject_context(data, top_accounts, config),
        }
        for label, step in steps.items():
            t0 = time.perf_counter()
            step()
            print(f"  {label:24s} {time.perf_counter() - t0:7.2f} s")


def _print_roles(results: list[dict]) -> None:
    """The role figures over all cases, each with its goal."""
    print(f"\nroles and ranking over {len(results)} cases:")
    for kind, goal in (("sex_trafficking", 3), ("labour_exploitation", 10), ("forced_begging", 10)):
        ranks = [rank for r in results for rank in r["roles"]["lead_ranks"].get(kind, [])]
        if not ranks:
            continue
        within = sum(1 for rank in ranks if rank is not None and rank <= goal)
        shown = ", ".join("-" if rank is None else str(rank) for rank in ranks)
        print(f"  {LEADS[kind]} of {kind}: in top {goal} in {within}/{len(ranks)} rings (ranks {shown})")
    victims = sum(r["roles"]["victims"] for r in results)
    as_suspects = sum(r["roles"]["victims_as_suspects"] for r in results)
    listed = sum(r["roles"]["victims_listed"] for r in results)
    context = sum(r["roles"]["context_in_suspects"] for r in results)
    print(f"  planted victims with a row in subjects.csv: {as_suspects} of {victims} (goal 0)")
    share = listed / victims if victims else 1.0
    print(f"  planted victims in possible_victims.csv: {listed} of {victims} = {share:.0%} (goal >= 90 %)")
    print(f"  decoys and context counterparties in subjects.csv: {context} (goal 0)")
    worst = max(r["rank_seconds"] for r in results)
    print(f"  roles, ranking and networks: max {worst:.1f} s per case")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--sizes", default="5000,20000,50000")
    parser.add_argument("--speed", type=int, metavar="N", help="only time detection on one case of N transactions")
    parser.add_argument("--case-dir", type=Path, help="with --speed: generate into (or reuse) this directory")
    parser.add_argument("--amlgentex", type=Path, default=amlgentex_dev.DEFAULT_DIR, help="AMLGentex development set")
    parser.add_argument("--amlgentex-only", action="store_true", help="only the AMLGentex development-set table")
    parser.add_argument("--no-amlgentex", action="store_true", help="skip the AMLGentex development-set table")
    args = parser.parse_args(argv)
    config = load_config()
    if args.amlgentex_only:
        text = amlgentex_dev.report(args.amlgentex)
        if text:
            print(text)
        return
    if args.speed:
        speed(args.speed, args.first_seed, config, args.case_dir)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                r = evaluate(seed, size, Path(tmp), config)
                results.append(r)
                print(
                    f"seed {seed:3d} size {size:7d}: {r['n_tx']:8d} tx, detection {r['detect_seconds']:6.1f} s, "
                    f"p@10 {r['p_at_10']:.2f}, heads in top 10 {r['head_in_top10']:.2f}, "
                    f"lead ranks {r['roles']['lead_ranks']}, victims as suspects "
                    f"{r['roles']['victims_as_suspects']}, context in suspects {r['roles']['context_in_suspects']}",
                    file=sys.stderr,
                )
    planted: dict[str, int] = defaultdict(int)
    for r in results:
        for t in r["types"]:
            planted[t] += 1
    types = sorted(planted)
    print(f"\nDetection quality over {args.seeds} seeds x sizes {sizes} ({len(results)} cases)\n")
    header = f"{'detector':24s} {'findings':>8s} {'precision':>9s} {'decoys':>6s}  " + " ".join(
        f"{t[:12]:>12s}" for t in types
    )
    print(header)
    print("-" * len(header))
    for name in [d.name for d in detectors()]:
        n = sum(r["per_detector"][name]["findings"] for r in results)
        correct = sum(r["per_detector"][name]["correct"] for r in results)
        hits: dict[str, int] = defaultdict(int)
        for r in results:
            for t in r["per_detector"][name]["hit_types"]:
                hits[t] += 1
        precision = f"{correct / n:9.2f}" if n else f"{'-':>9s}"
        recall = " ".join(f"{hits[t] / planted[t]:12.2f}" for t in types)
        decoys = sum(r["per_detector"][name]["decoys_named"] for r in results)
        print(f"{name:24s} {n:8d} {precision} {decoys:6d}  {recall}")
    caught: dict[str, int] = defaultdict(int)
    for r in results:
        for t in r["caught_types"]:
            caught[t] += 1
    print(
        f"{'ANY (catalogue recall)':24s} {'':8s} {'':9s} {'':6s}  "
        + " ".join(f"{caught[t] / planted[t]:12.2f}" for t in types)
    )
    print()
    mean = lambda key: sum(r[key] for r in results) / len(results)  # noqa: E731
    print(f"subject ranking: precision@10 {mean('p_at_10'):.2f}, recall@50 of scenario heads {mean('r_at_50'):.2f}, "
          f"scenario heads in top 10 {mean('head_in_top10'):.2f}")  # fmt: skip
    _print_roles(results)
    for size in sizes:
        rs = [r for r in results if r["n_tx"] and abs(r["n_tx"] - size) / size < 0.5]
        if rs:
            worst = max(r["detect_seconds"] for r in rs)
            average = sum(r["detect_seconds"] for r in rs) / len(rs)
            print(f"detection time at ~{size} transactions: mean {average:.1f} s, "
                  f"max {worst:.1f} s")  # fmt: skip
    print("decoys: decoy accounts (landlords, payroll bureaus, shops, treasurers, family remitters and their")
    print("counterparties) a detector names as subjects, summed over the cases")
    if not args.no_amlgentex:
        text = amlgentex_dev.report(args.amlgentex)
        if text:
            print()
            print(text)


if __name__ == "__main__":
    main()
