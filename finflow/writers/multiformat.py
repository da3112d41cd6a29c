"""Turn a generated case's generic transaction CSVs into the mix of extracts investigators get.

Some accounts' statements are written as DNB (two layouts) / SpareBank 1 / Nordea / Sbanken exports, some as
camt.053 (.001.02 and .001.08); every transaction touching none of those accounts stays in a
generic CSV. At least one pair of accounts that pay each other has BOTH statements written, so
the transfer between them arrives twice and the case store's de-duplication by ``txn_id`` is
exercised. Nothing is lost: each input row lands in at least one output file (input rows the
generic importer rejects are copied verbatim into the generic remainder, to be rejected again).
"""

from __future__ import annotations

import csv
import glob
import io
import os
import random
import shutil
from dataclasses import dataclass, field

import pandas as pd

from finflow.ids import file_sha256
from finflow.importers import generic_csv
from finflow.importers.base import Source
from finflow.normalize import normalize_accounts

from .bank_csv import TEXT_ONLY, choose_style, write_bank_csv
from .camt053 import write_camt053
from .generic import write_generic_csv

__all__ = ["FORMATS", "MultiformatCase", "read_generic_case", "write_multiformat_case"]

FORMATS: tuple[str, ...] = (
    "dnb", "dnb-motkonto", "sparebank1", "nordea", "sbanken", "camt053.001.02", "camt053.001.08",
)  # fmt: skip
REST_FILE = "transactions_generic_rest.csv"


@dataclass(slots=True)
class MultiformatCase:
    """What was written: file name → format, and which account each statement belongs to."""

    files: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)  # file name → own account
    both_sides: list[tuple[str, str]] = field(default_factory=list)  # pairs with both statements
    rows_in: int = 0


def read_generic_case(generic_case_dir: str) -> tuple[pd.DataFrame, list[str]]:
    """Canonical transactions of every ``transactions*.csv`` and the raw lines it rejects."""
    frames, bad_lines = [], []
    paths = sorted(glob.glob(os.path.join(generic_case_dir, "transactions*.csv")))
    if not paths:
        raise FileNotFoundError(f"{generic_case_dir}: no transactions*.csv files")
    for path in paths:
        name = os.path.basename(path)
        source = Source(path, name, file_sha256(path), "multiformat")
        result = generic_csv.read(path, source)
        frames.append(result.tables["transactions"])
        if len(result.rejects):
            bad_lines += _raw_records(path, set(result.rejects["source_locator"]))
    return pd.concat(frames, ignore_index=True), bad_lines


def _raw_records(path: str, locators: set[str]) -> list[str]:
    """The records at ``locators`` ("row N", header = row 1), re-serialised as CSV lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        for number, record in enumerate(csv.reader(fh), start=1):
            if f"row {number}" in locators:
                writer.writerow(record)
    return out.getvalue().splitlines(keepends=True)


def _feasible(txns: pd.DataFrame, account: str, scheme_of: dict[str, str]) -> list[str]:
    rows = txns[(txns["from_account"] == account) | (txns["to_account"] == account)]
    currencies = set(rows["currency"])
    cps = set(rows["from_account"].dropna()) | set(rows["to_account"].dropna())
    cps.discard(account)
    text_ok = all(scheme_of.get(a) in ("no_bban", "iban") for a in cps)
    out = []
    for fmt in FORMATS:
        if fmt.startswith("camt"):
            if len(currencies) <= 1:
                out.append(fmt)
        elif fmt == "nordea" or (currencies <= {"NOK"} and (fmt not in TEXT_ONLY or text_ok)):
            out.append(fmt)
    return out


def write_multiformat_case(
    generic_case_dir: str, out_dir: str, seed: int, *, share: float = 0.4, max_statements: int = 200
) -> MultiformatCase:
    """Write the multi-format extract set for the case in ``generic_case_dir`` into ``out_dir``.

    About ``share`` of the Norwegian accounts (at most ``max_statements``) get a bank statement;
    the two most frequent account pairs always get both statements.
    """
    rng = random.Random(seed)
    txns, bad_lines = read_generic_case(generic_case_dir)
    os.makedirs(out_dir, exist_ok=True)
    result = MultiformatCase(rows_in=len(txns) + len(bad_lines))
    both = pd.concat([txns["from_account"], txns["to_account"]]).dropna().astype("string")
    norm = normalize_accounts(both)
    scheme_of = dict(zip(norm["account_id"], norm["scheme"], strict=True))
    eligible = sorted(a for a, s in scheme_of.items() if s == "no_bban")
    chosen: list[str] = []
    pairs = txns[txns["from_account"].isin(eligible) & txns["to_account"].isin(eligible)]
    pairs = pairs[pairs["from_account"] != pairs["to_account"]]
    if len(pairs):
        counts = pairs.groupby(["from_account", "to_account"]).size().reset_index(name="n")
        counts = counts.sort_values(["n", "from_account", "to_account"], ascending=[False, True, True])
        for row in counts.head(2).itertuples():
            for account in (row.from_account, row.to_account):
                if account not in chosen:
                    chosen.append(account)
            result.both_sides.append((row.from_account, row.to_account))
    others = [a for a in eligible if a not in chosen]
    rng.shuffle(others)
    chosen += sorted(others[: int(len(others) * share)])
    chosen = chosen[:max_statements]
    order = list(FORMATS)
    rng.shuffle(order)
    for i, account in enumerate(chosen):
        feasible = _feasible(txns, account, scheme_of)
        if not feasible:
            continue
        preferred = [order[(i + k) % len(order)] for k in range(len(order))]
        fmt = next(f for f in preferred if f in feasible)
        _write_one(txns, account, fmt, out_dir, rng, result)
    written = set(result.accounts.values())
    touches = txns["from_account"].isin(written) | txns["to_account"].isin(written)
    self_transfer = (txns["from_account"] == txns["to_account"]).fillna(False)
    rest = txns[~touches.fillna(False) | self_transfer]
    write_generic_csv(rest, os.path.join(out_dir, REST_FILE), extra_lines=bad_lines)
    result.files[REST_FILE] = "generic_csv"
    _copy_registry_extracts(generic_case_dir, out_dir, result)
    return result


#: The generator's non-statement files are already in the formats investigators receive.
REGISTRY_EXTRACTS = ("accounts.csv", "persons.csv", "leases.csv", "brreg_enheter.json", "brreg_roller.json")


def _copy_registry_extracts(generic_case_dir: str, out_dir: str, result: MultiformatCase) -> None:
    for name in REGISTRY_EXTRACTS:
        source = os.path.join(generic_case_dir, name)
        if os.path.exists(source):
            shutil.copyfile(source, os.path.join(out_dir, name))
            result.files[name] = "copied"


def _write_one(
    txns: pd.DataFrame, account: str, fmt: str, out_dir: str, rng: random.Random, result: MultiformatCase
) -> None:
    if fmt.startswith("camt"):
        version = fmt.removeprefix("camt053.")
        name = f"camt053_{account}_v{version[-2:]}.xml"
        write_camt053(
            txns, account, os.path.join(out_dir, name), version=version,
            opening_minor=rng.randrange(0, 5_000_000), seed=rng.randrange(1 << 30),
        )  # fmt: skip
    else:
        name = f"{fmt}_{account}.csv"
        write_bank_csv(txns, account, fmt, os.path.join(out_dir, name), choose_style(fmt, rng))
    result.files[name] = "camt053" if fmt.startswith("camt") else "no_bank_csv"
    result.accounts[name] = account
