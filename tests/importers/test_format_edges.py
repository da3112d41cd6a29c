"""Edge cases checked in every transaction format: amounts, invalid accounts, what makes two
payments one, and a transaction id worked out here by hand.

Each format writes the same payments in its own layout (see formatcases.py), so a difference in
behaviour between formats shows up as a failing parameter.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from formatcases import BAD_CHECK_DIGIT, BUILDERS, OTHER, OWN, Payment

from finflow.case import open_case

#: formats whose statements name the holder's own account (the bank exports, camt.053)
STATEMENTS = {"no_bank_csv", "no_bank_csv (Nordea)", "camt053"}
#: formats with one currency per file by construction (DNB exports are NOK only)
ONE_CURRENCY = {"no_bank_csv"}
#: formats whose accounts are the data set's own ids (never Norwegian account numbers)
SYNTHETIC_ACCOUNTS = {"amlworld": "1/{}", "amlgentex": "AMLG{}"}


def load(tmp_path: Path, fmt: str, payments: list[Payment]):
    name, data = BUILDERS[fmt](payments)
    path = tmp_path / name
    path.write_bytes(data)
    case = open_case(tmp_path / "case")
    (report,) = case.import_files([path], options={"account": OWN})
    assert report.status == "imported", report.error
    assert report.reconciles
    rejects = case.table("rejects").to_pandas()
    return case, report, dict(zip(rejects["source_locator"], rejects["reason"], strict=True))


def currency_of(fmt: str) -> str:
    return "USD" if fmt == "amlworld" else "EUR" if fmt == "amlgentex" else "NOK"


def payment(fmt: str, **changes: str) -> Payment:
    return replace(Payment(currency=currency_of(fmt)), **changes)


# --- amounts ---------------------------------------------------------------------------------------

EVERY = sorted(BUILDERS)


@pytest.mark.parametrize("fmt", EVERY)
@pytest.mark.parametrize("amount", ["0", "0.00"])
def test_a_zero_amount_is_a_reject_with_its_reason(tmp_path: Path, fmt: str, amount: str) -> None:
    _, report, reasons = load(tmp_path, fmt, [payment(fmt, amount=amount), payment(fmt)])
    assert (report.rows_read, report.loaded, report.rejected) == (2, 1, 1)
    (reason,) = reasons.values()
    assert "zero" in reason


@pytest.mark.parametrize("fmt", EVERY)
def test_an_amount_too_large_for_64_bits_is_a_reject(tmp_path: Path, fmt: str) -> None:
    huge = "99999999999999999999.00"  # 10**20 minor units: beyond int64 (AMLGentex reads it as a float)
    case, report, reasons = load(tmp_path, fmt, [payment(fmt, amount=huge), payment(fmt)])
    assert (report.loaded, report.rejected) == (1, 1)
    (reason,) = reasons.values()
    assert "too large" in reason or "not a decimal number" in reason
    assert case.table("transactions").column("amount_minor").to_pylist() == [10000]


@pytest.mark.parametrize("fmt", sorted(set(EVERY) - {"amlgentex", "amlworld"}))
def test_more_decimals_than_the_currency_has_is_a_reject(tmp_path: Path, fmt: str) -> None:
    _, report, reasons = load(tmp_path, fmt, [payment(fmt, amount="1.005")])
    assert (report.loaded, report.rejected) == (0, 1)
    (reason,) = reasons.values()
    assert "more decimals than" in reason


@pytest.mark.parametrize("fmt", ["amlgentex", "amlworld"])
def test_simulated_data_sets_round_extra_decimals_half_to_even_and_say_so(tmp_path: Path, fmt: str) -> None:
    # their amounts are floats or float-printed decimals: rounding is documented and noted
    case, report, _ = load(tmp_path, fmt, [payment(fmt, amount="1.005"), payment(fmt, amount="2.015")])
    expected = [100, 202]  # 100.5 -> 100 and 201.5 -> 202: half to even
    assert sorted(case.table("transactions").column("amount_minor").to_pylist()) == expected
    assert any("rounded (half to even)" in note for note in report.notes)


@pytest.mark.parametrize("fmt", EVERY)
def test_a_negative_amount_is_rejected_or_reverses_the_direction_never_kept_negative(tmp_path: Path, fmt: str) -> None:
    case, report, reasons = load(tmp_path, fmt, [payment(fmt, amount="-5.00")])
    rows = case.table("transactions").select(["amount_minor", "from_account", "to_account"]).to_pylist()
    if fmt == "no_bank_csv":  # bank exports sign their amounts: -5 in is 5 out
        assert rows == [{"amount_minor": 500, "from_account": OWN, "to_account": OTHER}]
    elif fmt == "no_bank_csv (Nordea)":  # -5 from OTHER to OWN contradicts itself: the sign decides
        assert [(r["amount_minor"], r["from_account"]) for r in rows] == [(500, OWN)]
    else:
        assert rows == [] and report.rejected == 1
        (reason,) = reasons.values()
        assert "not a" in reason and ("positive" in reason or "decimal" in reason)


# --- an invalid 11-digit account ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(set(EVERY) - {"remittance", "no_bank_csv"}))
def test_an_invalid_11_digit_account_is_kept_as_unvalidated_other(tmp_path: Path, fmt: str) -> None:
    case, _, _ = load(tmp_path, fmt, [payment(fmt, payer=OWN, payee=BAD_CHECK_DIGIT)])
    shown = SYNTHETIC_ACCOUNTS.get(fmt, "{}").replace("1/", "2/").format(BAD_CHECK_DIGIT)
    (row,) = case.table("transactions").select(["to_account"]).to_pylist()
    assert row["to_account"] == shown
    accounts = {a["account_id"]: a for a in case.table("accounts").to_pylist()}
    assert accounts[shown]["scheme"] == "other" and accounts[shown]["validated"] is False


def test_an_invalid_11_digit_number_in_bank_text_is_not_taken_for_an_account_but_kept(tmp_path: Path) -> None:
    # free text holds KID and invoice numbers of 11 digits: only valid account numbers are read from it
    case, report, _ = load(tmp_path, "no_bank_csv", [payment("no_bank_csv", payer=OWN, payee=BAD_CHECK_DIGIT)])
    (row,) = case.table("transactions").select(["to_account", "description"]).to_pylist()
    assert row["to_account"] is None and BAD_CHECK_DIGIT in row["description"]
    assert any("name no counterparty account" in note for note in report.notes)


# --- what makes two payments one ----------------------------------------------------------------

#: each field of the transaction key, and a second value for it
KEY_FIELDS = {
    "date": {"date": "2026-01-26"},
    "amount": {"amount": "100.01"},
    "currency": {"currency": "SEK"},
    "payer": {"payer": "97106825541"},
    "payee": {"payee": "30001581763"},
}


def _varies(fmt: str, field: str) -> bool:
    """Whether ``fmt`` can hold two payments differing only in ``field``."""
    if field == "currency":
        return fmt not in ONE_CURRENCY and fmt != "amlgentex"  # AMLGentex logs take one currency option
    if fmt in STATEMENTS:  # one side of a statement is always its holder
        return field != "payee"
    return True


@pytest.mark.parametrize(
    ("fmt", "field"), [(fmt, field) for fmt in EVERY for field in sorted(KEY_FIELDS) if _varies(fmt, field)]
)
def test_payments_differing_in_one_key_field_never_merge(tmp_path: Path, fmt: str, field: str) -> None:
    first = payment(fmt)
    change = {"currency": "EUR"} if (fmt, field) == ("amlworld", "currency") else KEY_FIELDS[field]
    second = replace(first, **change)
    case, report, _ = load(tmp_path, fmt, [first, second])
    ids = case.table("transactions").column("txn_id").to_pylist()
    assert report.loaded == 2 and len(set(ids)) == 2
    rows = case.table("transactions").select(["booking_date", "amount_minor", "currency"]).to_pylist()
    assert len({tuple(map(str, r.values())) for r in rows}) == (1 if field in ("payer", "payee") else 2)


@pytest.mark.parametrize("fmt", EVERY)
def test_two_identical_payments_in_one_file_stay_two(tmp_path: Path, fmt: str) -> None:
    case, report, _ = load(tmp_path, fmt, [payment(fmt), payment(fmt)])
    assert report.loaded == 2 and len(set(case.table("transactions").column("txn_id").to_pylist())) == 2


def test_two_transfers_differing_only_in_currency_never_merge_across_files(tmp_path: Path) -> None:
    case = open_case(tmp_path / "case")
    files = []
    for currency in ("NOK", "EUR"):
        name, data = BUILDERS["generic_csv"]([Payment(currency=currency)])
        files.append(tmp_path / f"{currency}_{name}")
        files[-1].write_bytes(data)
    reports = case.import_files(files)
    assert [r.loaded for r in reports] == [1, 1] and [r.duplicates for r in reports] == [0, 0]
    rows = case.table("transactions").select(["amount_minor", "currency"]).to_pylist()
    assert sorted(r["currency"] for r in rows) == ["EUR", "NOK"]


# --- a transaction id worked out by hand ------------------------------------------------------


def expected_txn_id(date: str, minor: int, currency: str, payer: str, payee: str, occurrence: int = 0) -> str:
    """The documented recipe: SHA-256 of the key fields and occurrence joined by U+001F, 20 hex."""
    text = "\x1f".join([date, str(minor), currency, payer, payee, str(occurrence)])
    return "txn-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def test_the_recipe_gives_this_exact_id() -> None:
    # pinned: a change to how ids are made must change this line on purpose
    assert expected_txn_id("2026-01-25", 10000, "NOK", OTHER, OWN) == "txn-6f08ff6ae35d82b2327f"


@pytest.mark.parametrize("fmt", ["generic_csv", "no_bank_csv", "no_bank_csv (Nordea)", "camt053"])
def test_the_same_payment_has_the_same_pinned_id_in_every_format(tmp_path: Path, fmt: str) -> None:
    case, _, _ = load(tmp_path, fmt, [Payment(), Payment()])
    ids = sorted(case.table("transactions").column("txn_id").to_pylist())
    assert ids == sorted([expected_txn_id("2026-01-25", 10000, "NOK", OTHER, OWN, n) for n in (0, 1)])


def test_the_payers_and_the_payees_statements_give_one_transaction(tmp_path: Path) -> None:
    case = open_case(tmp_path / "case")
    name, data = BUILDERS["camt053"]([Payment()])  # OWN's statement: a credit from OTHER
    (tmp_path / name).write_bytes(data)
    payer_side = tmp_path / "payer.csv"  # OTHER's side of the same payment
    payer_side.write_bytes(BUILDERS["generic_csv"]([Payment()])[1])
    first, second = case.import_files([tmp_path / name, payer_side])
    assert (first.loaded, second.loaded, second.duplicates) == (1, 0, 1)
    assert case.table("transactions").column("txn_id").to_pylist() == [expected_txn_id("2026-01-25", 10000, "NOK",
                                                                                       OTHER, OWN)]  # fmt: skip
