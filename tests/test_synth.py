"""The synthetic case generator: reproducible, valid, believable, and honest about its answers."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from stdnum import iban
from stdnum.no import fodselsnummer, kontonr, orgnr

from finflow.model import CHANNELS
from finflow.synth import generate, parse_size
from finflow.synth.command import synth
from finflow.synth.writers import TXN_COLUMNS

SEED = 21
SIZE = 8_000
FILES = [
    "transactions.csv",
    "accounts.csv",
    "persons.csv",
    "leases.csv",
    "brreg_enheter.json",
    "brreg_roller.json",
    "ground_truth.json",
]


@pytest.fixture(scope="module")
def case_a(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("a")
    generate(SEED, SIZE, out)
    return out


@pytest.fixture(scope="module")
def case_a_again(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("a2")
    generate(SEED, SIZE, out)
    return out


@pytest.fixture(scope="module")
def case_b(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("b")
    generate(SEED + 1, SIZE, out)
    return out


def _txns(case: Path) -> pd.DataFrame:
    frame = pd.read_csv(case / "transactions.csv", dtype=str, keep_default_na=False)
    frame["minor"] = frame["amount"].str.replace(".", "", regex=False).astype("int64")
    frame["ts"] = pd.to_datetime(frame["date"] + " " + frame["time"].replace("", "00:00"))
    return frame


def _truth(case: Path) -> dict:
    return json.loads((case / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def txns(case_a) -> pd.DataFrame:
    return _txns(case_a)


@pytest.fixture(scope="module")
def truth(case_a) -> dict:
    return _truth(case_a)


# ---- reproducibility ------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(case_a, case_a_again):
    for name in FILES:
        assert (case_a / name).read_bytes() == (case_a_again / name).read_bytes(), name


def test_different_seed_gives_different_files(case_a, case_b):
    for name in ("transactions.csv", "accounts.csv", "ground_truth.json"):
        assert (case_a / name).read_bytes() != (case_b / name).read_bytes(), name


# ---- the transaction file -------------------------------------------------------------------


def test_transactions_header_and_formats(case_a, txns):
    with open(case_a / "transactions.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == TXN_COLUMNS
    assert txns["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    pd.to_datetime(txns["date"], format="%Y-%m-%d")  # real dates, raises otherwise
    times = txns.loc[txns["time"] != "", "time"]
    assert times.str.fullmatch(r"([01]\d|2[0-3]):[0-5]\d").all()
    assert txns["amount"].str.fullmatch(r"\d+\.\d{2}").all()
    assert (txns["minor"] > 0).all()
    assert set(txns["currency"]) <= {"NOK", "EUR"}
    assert (txns["currency"] == "NOK").mean() > 0.95
    assert set(txns["channel"]) <= set(CHANNELS)
    assert txns["txn_ref"].is_unique
    assert txns["txn_ref"].str.fullmatch(rf"S{SEED}-\d{{9}}").all()


def test_transactions_sorted_by_date_time_ref(txns):
    key = list(zip(txns["date"], txns["time"], txns["txn_ref"], strict=True))
    assert key == sorted(key)


def test_channel_rules(txns):
    deposits = txns[txns["channel"] == "cash_deposit"]
    withdrawals = txns[txns["channel"] == "cash_withdrawal"]
    assert len(deposits) and len(withdrawals)
    assert (deposits["from_account"] == "").all() and (deposits["to_account"] != "").all()
    assert (withdrawals["to_account"] == "").all() and (withdrawals["from_account"] != "").all()
    others = txns[~txns["channel"].isin(["cash_deposit", "cash_withdrawal"])]
    assert (others["from_account"] != "").all() and (others["to_account"] != "").all()
    timed = txns[txns["channel"].isin(["card", "p2p", "cash_deposit", "cash_withdrawal"])]
    assert (timed["time"] != "").all()


def test_card_purchases_go_to_merchants(case_a, txns):
    kyc = pd.read_csv(case_a / "accounts.csv", dtype=str, keep_default_na=False)
    companies = set(kyc.loc[kyc["holder_kind"] == "company", "account"])
    cards = txns[txns["channel"] == "card"]
    domestic = cards[cards["to_country"] == "NO"]
    assert domestic["to_account"].isin(companies).all()
    foreign = cards[cards["to_country"] != "NO"]  # escort advert sites abroad
    assert foreign["to_account"].map(iban.is_valid).all()


def test_population_is_believable(txns):
    counts = txns["channel"].value_counts()
    for channel in ("card", "p2p", "salary", "transfer", "remittance", "fee"):
        assert counts.get(channel, 0) > 0, channel
    assert counts["card"] > counts["salary"]
    salaries = txns[txns["channel"] == "salary"]
    assert salaries["description"].str.startswith("Lønn").all()
    rent = txns[txns["description"].str.startswith("Husleie")]
    assert rent["to_account"].nunique() >= 3
    assert txns["description"].str.contains(",").any()  # hostile free text needs quoting


# ---- identifiers ----------------------------------------------------------------------------


def _valid_account(value: str) -> bool:
    if value.isdigit():
        return len(value) == 11 and kontonr.is_valid(value)
    return iban.is_valid(value) and not value.startswith("NO")


def test_all_account_numbers_valid(case_a, txns):
    used = pd.concat([txns["from_account"], txns["to_account"]])
    used = used[used != ""].unique()
    assert len(used) > 100
    assert all(_valid_account(v) for v in used)
    kyc = pd.read_csv(case_a / "accounts.csv", dtype=str, keep_default_na=False)
    assert kyc["account"].map(kontonr.is_valid).all()
    assert kyc["account"].is_unique
    companies = kyc[kyc["holder_kind"] == "company"]
    assert companies["holder_org_number"].map(orgnr.is_valid).all()
    persons = kyc[kyc["holder_kind"] == "person"]
    pd.to_datetime(persons["holder_birth_date"], format="%Y-%m-%d")
    domestic = [v for v in used if v.isdigit()]
    assert set(domestic) <= set(kyc["account"])


def test_register_and_registry_identifiers_valid(case_a):
    persons = pd.read_csv(case_a / "persons.csv", dtype=str, keep_default_na=False)
    assert persons["id_number"].map(fodselsnummer.is_valid).all()
    assert persons["phone"].str.fullmatch(r"\+47 [49]\d\d \d\d \d{3}").all()
    enheter = json.loads((case_a / "brreg_enheter.json").read_text(encoding="utf-8"))
    assert all(orgnr.is_valid(e["organisasjonsnummer"]) for e in enheter)
    numbers = [e["organisasjonsnummer"] for e in enheter]
    assert len(numbers) == len(set(numbers))


def test_brreg_documents_have_api_shape(case_a):
    enheter = json.loads((case_a / "brreg_enheter.json").read_text(encoding="utf-8"))
    roller = json.loads((case_a / "brreg_roller.json").read_text(encoding="utf-8"))
    assert isinstance(enheter, list) and isinstance(roller, dict)
    for entity in enheter:
        for key in (
            "organisasjonsnummer", "navn", "organisasjonsform", "naeringskode1",
            "antallAnsatte", "harRegistrertAntallAnsatte", "stiftelsesdato", "konkurs",
            "underAvvikling", "forretningsadresse",
        ):  # fmt: skip
            assert key in entity, key
        assert re.fullmatch(r"\d\d\.\d{3}", entity["naeringskode1"]["kode"])
        address = entity["forretningsadresse"]
        assert isinstance(address["adresse"], list) and address["postnummer"].isdigit()
    assert set(roller) == {e["organisasjonsnummer"] for e in enheter}
    roles = [r for doc in roller.values() for g in doc["rollegrupper"] for r in g["roller"]]
    assert {r["type"]["kode"] for r in roles} >= {"DAGL", "LEDE", "INNH"}
    for role in roles:
        pd.to_datetime(role["person"]["fodselsdato"], format="%Y-%m-%d")
        assert role["person"]["navn"]["fornavn"] and role["person"]["navn"]["etternavn"]


# ---- ground truth ---------------------------------------------------------------------------


def test_ground_truth_names_existing_records(case_a, txns, truth):
    refs = set(txns["txn_ref"])
    kyc = set(pd.read_csv(case_a / "accounts.csv", dtype=str)["account"])
    seen = set(txns["from_account"]) | set(txns["to_account"])
    register = pd.read_csv(case_a / "persons.csv", dtype=str)
    people = set(zip(register["name"], register["birth_date"], strict=True))
    orgs = {e["organisasjonsnummer"] for e in json.loads((case_a / "brreg_enheter.json").read_text(encoding="utf-8"))}
    assert truth["seed"] == SEED and truth["size"] == SIZE
    assert truth["transactions"] == len(txns)
    assert {s["type"] for s in truth["scenarios"]} == {
        "sex_trafficking", "labour_exploitation", "forced_begging", "mule_chain", "round_trip",
    }  # fmt: skip
    assert {d["type"] for d in truth["decoys"]} == {
        "landlord", "payroll_bureau", "family_remittance", "busy_shop", "treasurer",
        "family_rent", "football_club", "au_pair", "remitting_landlord",
    }  # fmt: skip
    planted: set[str] = set()
    for item in truth["scenarios"] + truth["decoys"]:
        assert item["txn_refs"], item["id"]
        assert set(item["txn_refs"]) <= refs, item["id"]
        assert not planted & set(item["txn_refs"]), item["id"]
        planted |= set(item["txn_refs"])
        for account in item["accounts"] + item["counterparty_accounts"]:
            assert account in kyc or account in seen, (item["id"], account)
        for person in item["persons"]:
            assert (person["name"], person["birth_date"]) in people, (item["id"], person)
        assert set(item["companies"]) <= orgs, item["id"]
    assert len(planted) < len(txns) * 0.6  # most rows are ordinary life
    collectors = [a for s in truth["scenarios"] for a in s["roles"].get("collector_accounts", [])]
    assert collectors and collectors == truth["collector_accounts"]
    decoy_accounts = {a for d in truth["decoys"] for a in d["accounts"]}
    assert not decoy_accounts & set(collectors)


def _scenario(truth: dict, kind: str) -> dict:
    return next(s for s in truth["scenarios"] if s["type"] == kind)


def _people(case: Path) -> pd.DataFrame:
    return pd.read_csv(case / "persons.csv", dtype=str, keep_default_na=False)


def _kyc(case: Path) -> pd.DataFrame:
    return pd.read_csv(case / "accounts.csv", dtype=str, keep_default_na=False)


def _age_at_end(birth: str, truth: dict) -> float:
    return (pd.Timestamp(truth["period"]["end"]) - pd.Timestamp(birth)).days / 365.25


def test_collector_accounts_belong_to_the_ring(case_a, txns, truth):
    kyc = _kyc(case_a).set_index("account")
    for scenario in truth["scenarios"]:
        collectors = scenario["roles"].get("collector_accounts", [])
        if not collectors:
            continue
        holders = {(p["name"], p["birth_date"]) for key in ("controller", "organiser", "relative")
                   for p in scenario["roles"].get(key, [])}  # fmt: skip
        members = {m["account"] for key in ("victim", "member", "intermediary") for m in scenario["roles"].get(key, [])}
        mine = txns[txns["txn_ref"].isin(scenario["txn_refs"])]
        for account in collectors:
            row = kyc.loc[account]
            assert (row["holder_name"], row["holder_birth_date"]) in holders, (scenario["id"], account)
            assert mine.loc[mine["to_account"] == account, "from_account"].isin(members).any(), scenario["id"]


def test_sex_trafficking_ring_is_believable(case_a, txns, truth):
    s = _scenario(truth, "sex_trafficking")
    params = s["parameters"]
    victims = s["roles"]["victim"]
    assert 3 <= len(victims) == params["victims"] <= 8
    people = _people(case_a)
    for v in victims:
        record = people[(people["name"] == v["name"]) & (people["birth_date"] == v["birth_date"])].iloc[0]
        assert record["nationality"] == params["origin_country"]
        assert 18 <= _age_at_end(v["birth_date"], truth) <= 36
    mine = txns[txns["txn_ref"].isin(s["txn_refs"])]
    victim_accounts = [v["account"] for v in victims]
    paid = mine[mine["to_account"].isin(victim_accounts) & (mine["channel"] == "p2p")]
    assert paid["minor"].between(35_000, 350_000).all()  # what clients pay: NOK 350-3 500
    assert paid["from_account"].nunique() >= len(victims)  # many men, not one
    clients = {c["account"] for c in s["roles"]["client"]}
    assert set(paid["from_account"]) <= clients
    assert not clients & set(s["accounts"])  # clients are ordinary people, not members of the ring
    own = [a["account"] for a in s["roles"]["controller_accounts"]]
    ctrl = s["roles"]["controller"][0]
    assert 1 <= len(own) == params["controller_accounts"] <= 3 and ctrl["account"] in own
    kyc = _kyc(case_a).set_index("account")
    assert set(kyc.loc[own, "holder_name"]) == {ctrl["name"]}
    if "relative" in s["roles"]:
        relative = s["roles"]["relative"][0]
        assert relative["name"].split()[-1][:5] == ctrl["name"].split()[-1][:5]  # the family name
    # rent: one payment per flat a month, around the turn of the month, from the controller's accounts
    rent = mine[mine["from_account"].isin(own) & mine["description"].str.startswith("Husleie")]
    per_month = rent.groupby([rent["to_account"], rent["date"].str[:7]]).size()
    assert per_month.max() <= 2 and rent["to_account"].nunique() == params["flats"]
    days = rent["date"].str[8:].astype(int)
    assert ((days <= 5) | (days >= 24)).all()
    leases = pd.read_csv(case_a / "leases.csv", dtype=str, keep_default_na=False)
    rented = (leases["tenant_name"] == ctrl["name"]) & (leases["tenant_birth_date"] == ctrl["birth_date"])
    assert rented.sum() == params["flats"]
    remits = mine[mine["channel"] == "remittance"]
    assert len(remits) and (remits["to_country"] == params["origin_country"]).all()
    cards = mine[mine["channel"] == "card"]
    sites = {a["account"] for a in s["roles"]["advert_merchant"]}
    assert cards["to_account"].isin(sites).any() and set(cards.loc[cards["to_account"].isin(sites), "currency"]) <= {
        "NOK", "EUR"}  # fmt: skip
    assert 0 <= params["client_cash_share"] <= 0.6


def test_ring_variants_appear_across_seeds(tmp_path):
    seen: dict[str, set] = {"accounts": set(), "relative": set(), "intermediary": set(), "cash": set()}
    for seed in range(4):
        generate(seed, 2_000, tmp_path / str(seed))
        s = _scenario(_truth(tmp_path / str(seed)), "sex_trafficking")["parameters"]
        seen["accounts"].add(s["controller_accounts"])
        seen["relative"].add(s["relative_account"])
        seen["intermediary"].add(s["intermediary"])
        seen["cash"].add(s["client_cash_share"] > 0)
    assert len(seen["accounts"]) >= 2 and seen["relative"] == {True, False} and seen["cash"] == {True, False}


def test_labour_exploitation_is_believable(case_a, txns, truth):
    s = _scenario(truth, "labour_exploitation")
    company = s["roles"]["company"][0]
    workers = {w["account"] for w in s["roles"]["worker"]}
    claw = s["roles"]["clawback_accounts"][0]
    mine = txns[txns["txn_ref"].isin(s["txn_refs"])]
    wages = mine[(mine["channel"] == "salary") & (mine["from_account"] == company["account"])]
    assert set(wages["to_account"]) == workers
    assert wages["minor"].between(600_000, 1_500_000).all()  # far below a Norwegian wage
    assert wages.groupby([wages["to_account"], wages["date"].str[:7]]).size().max() == 1  # monthly
    back = mine[mine["from_account"].isin(workers) & (mine["to_account"] == claw)]
    assert set(back["from_account"]) == workers  # every worker pays money back
    credits = mine.loc[mine["to_account"] == company["account"], "minor"].sum()
    assert wages["minor"].sum() < credits  # the customers' money pays the wages and more
    enheter = json.loads((case_a / "brreg_enheter.json").read_text(encoding="utf-8"))
    entity = next(e for e in enheter if e["organisasjonsnummer"] == company["org_number"])
    assert entity["antallAnsatte"] >= len(workers)
    roller = json.loads((case_a / "brreg_roller.json").read_text(encoding="utf-8"))
    manager = s["roles"]["manager"][0]
    holders = {
        (r["person"]["navn"]["fornavn"] + " " + r["person"]["navn"]["etternavn"], r["type"]["kode"])
        for org in s["companies"]
        for g in roller[org]["rollegrupper"]
        for r in g["roller"]
    }
    assert (manager["name"], "DAGL") in holders
    persons = _people(case_a)
    keys = {(w["name"], w["birth_date"]) for w in s["roles"]["worker"]}
    is_worker = pd.Series(list(zip(persons["name"], persons["birth_date"], strict=True))).isin(keys)
    streets = persons[is_worker.to_numpy() & (persons["address_to"] == "")]["street"]
    assert streets.nunique() == 1 and len(streets) == len(workers)


def test_forced_begging_is_believable(txns, truth):
    s = _scenario(truth, "forced_begging")
    members = [m["account"] for m in s["roles"]["member"]]
    organiser = s["roles"]["organiser"][0]["account"]
    mine = txns[txns["txn_ref"].isin(s["txn_refs"])]
    cash = mine[(mine["channel"] == "cash_deposit") & mine["to_account"].isin(members)]
    assert cash["minor"].between(10_000, 90_000).all()  # coins and small notes
    assert set(cash["to_account"]) == set(members)
    assert pd.to_datetime(cash["date"]).dt.day_of_week.nunique() >= 5  # begging is daily work
    assert mine[mine["from_account"].isin(members) & (mine["to_account"] == organiser)]["from_account"].nunique() >= 2
    out = mine[(mine["from_account"] == organiser) & (mine["channel"] == "remittance")]
    assert set(out["to_country"]) <= {"RO", "BG"} and len(out)


def test_mule_chain_moves_money_on(txns, truth):
    s = _scenario(truth, "mule_chain")
    mules = [m["account"] for m in s["roles"]["mule"]]
    mine = txns[txns["txn_ref"].isin(s["txn_refs"])]
    for mule in mules:
        received = mine.loc[(mine["to_account"] == mule), "minor"].sum()
        passed = mine.loc[(mine["from_account"] == mule) & (mine["channel"] != "card"), "minor"].sum()
        assert received > 0 and 0.5 * received <= passed <= received, mule  # a mule keeps a cut, never adds


def test_round_trip_companies_share_a_role_holder(case_a, txns, truth):
    s = _scenario(truth, "round_trip")
    accounts = [c["account"] for c in s["roles"]["company"]]
    mine = txns[txns["txn_ref"].isin(s["txn_refs"])]
    assert mine.loc[mine["from_account"] == accounts[0], "to_account"].isin(accounts).any()
    assert mine.loc[mine["to_account"] == accounts[0], "from_account"].isin(accounts).any()
    roller = json.loads((case_a / "brreg_roller.json").read_text(encoding="utf-8"))
    holder = s["roles"]["role_holder"][0]["name"]
    for company in s["roles"]["company"]:
        names = {r["person"]["navn"]["fornavn"] + " " + r["person"]["navn"]["etternavn"]
                 for g in roller[company["org_number"]]["rollegrupper"] for r in g["roller"]}  # fmt: skip
        assert holder in names


def _decoy(truth: dict, kind: str) -> dict:
    return next(d for d in truth["decoys"] if d["type"] == kind)


def test_decoys_are_ordinary_life(case_a, txns, truth):
    def mine(decoy: dict) -> pd.DataFrame:
        return txns[txns["txn_ref"].isin(decoy["txn_refs"])]

    landlord = _decoy(truth, "landlord")
    rent = mine(landlord).loc[lambda t: t["to_account"] == landlord["accounts"][0], "minor"]
    assert rent.between(650_000, 1_600_000).all()
    shop = _decoy(truth, "busy_shop")
    takings = mine(shop).loc[lambda t: t["to_account"] == shop["accounts"][0], "minor"]
    assert (takings % 10_000 != 0).mean() > 0.5  # list prices, not round sums
    family = _decoy(truth, "family_remittance")
    assert len({p["name"].split()[-1][:5] for p in family["roles"]["sender"]}) == 1
    leases = pd.read_csv(case_a / "leases.csv", dtype=str, keep_default_na=False)
    parent = _decoy(truth, "family_rent")
    tenants = {(t["name"], t["birth_date"]) for t in parent["roles"]["tenant"]}
    leased = zip(leases["tenant_name"], leases["tenant_birth_date"], strict=True)
    assert sum(key in tenants for key in leased) == len(tenants)
    paid = mine(parent)
    paid = paid[paid["to_account"].isin({a["account"] for a in parent["roles"]["landlord"]})]
    assert paid.groupby(paid["date"].str[:7]).size().max() <= len(tenants)  # once a month per flat
    club = _decoy(truth, "football_club")
    fees = mine(club).loc[lambda t: t["to_account"] == club["accounts"][0], "minor"]
    assert fees.nunique() < 0.5 * len(fees)  # a price list, paid by many parents
    au_pair = _decoy(truth, "au_pair")
    people = _people(case_a)
    homes = {
        people.loc[(people["name"] == p["name"]) & (people["address_to"] == ""), "street"].iloc[0]
        for p in au_pair["roles"]["host"] + au_pair["roles"]["au_pair"]
    }
    assert len(homes) == 1  # she lives with the family
    pocket = mine(au_pair).loc[lambda t: t["from_account"] == au_pair["accounts"][0], "minor"]
    assert pocket.between(590_000, 680_000).all()
    remitting = _decoy(truth, "remitting_landlord")
    out = mine(remitting).loc[lambda t: t["channel"] == "remittance"]
    assert (out["to_country"] == remitting["parameters"]["country"]).all() and len(out)


def test_scenarios_vary_across_seeds(case_a, case_b, tmp_path):
    generate(SEED + 2, 3_000, tmp_path)
    docs = [_truth(case_a), _truth(case_b), _truth(tmp_path)]

    def shape(doc: dict) -> tuple:
        s = _scenario(doc, "sex_trafficking")
        lab = _scenario(doc, "labour_exploitation")
        return (
            s["parameters"]["victims"], s["parameters"]["origin_country"],
            s["parameters"]["flats"], s["parameters"]["active_from"],
            lab["parameters"]["workers"], lab["parameters"]["sector"],
        )  # fmt: skip

    shapes = [shape(d) for d in docs]
    assert len(set(shapes)) == 3
    varying = [i for i in range(len(shapes[0])) if len({s[i] for s in shapes}) > 1]
    assert len(varying) >= 3, shapes
    periods = {(d["period"]["start"], d["period"]["end"]) for d in docs}
    assert len(periods) > 1


@pytest.mark.parametrize("size", [2_000, SIZE, 20_000])
def test_size_roughly_honoured(size, case_a, tmp_path):
    if size == SIZE:
        count = len(_txns(case_a))
    else:
        count = generate(5, size, tmp_path).transactions
        assert count == len(pd.read_csv(tmp_path / "transactions.csv", dtype=str))
    assert 0.8 * size <= count <= 1.2 * size


def test_period_is_about_six_months_ending_near_september(truth):
    start = pd.Timestamp(truth["period"]["start"])
    end = pd.Timestamp(truth["period"]["end"])
    assert pd.Timedelta(days=170) <= end - start <= pd.Timedelta(days=195)
    assert abs((end - pd.Timestamp("2026-09-30")).days) <= 15


# ---- API and CLI ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("1000", 1000), ("10k", 10_000), ("100K", 100_000), ("1M", 1_000_000), ("10M", 10_000_000),
     ("2.5M", 2_500_000)],
)  # fmt: skip
def test_parse_size(text, value):
    assert parse_size(text) == value


@pytest.mark.parametrize("text", ["", "ten", "10G", "-5", "1e6"])
def test_parse_size_rejects_garbage(text):
    with pytest.raises(ValueError, match="size"):
        parse_size(text)


def test_generate_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="seed"):
        generate(-1, 1000, tmp_path)
    with pytest.raises(ValueError, match="size"):
        generate(1, 10, tmp_path)


def test_cli_writes_a_case(tmp_path):
    result = CliRunner().invoke(synth, ["--seed", "3", "--size", "1k", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "transactions" in result.output and "planted: sex_trafficking 1" in result.output
    for name in FILES:
        assert (tmp_path / name).stat().st_size > 0, name


def test_cli_reports_bad_size_without_traceback(tmp_path):
    result = CliRunner().invoke(synth, ["--seed", "3", "--size", "lots", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "Invalid value for '--size'" in result.output
    assert "Traceback" not in result.output


def test_large_cases_split_by_month(tmp_path, monkeypatch):
    import finflow.synth.build as gen

    monkeypatch.setattr(gen, "SPLIT_ABOVE", 1_000)
    (tmp_path / "transactions.csv").write_text("stale\n", encoding="utf-8")
    summary = generate(4, 2_000, tmp_path)
    parts = sorted(tmp_path.glob("transactions-*.csv"))
    assert [p.name for p in parts] == [f for f in summary.files if f.startswith("transactions")]
    assert not (tmp_path / "transactions.csv").exists()
    assert 6 <= len(parts) <= 8  # one per calendar month touched by the period
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in parts]
    assert all(list(f.columns) == TXN_COLUMNS for f in frames)
    assert all(f["date"].str[:7].nunique() == 1 for f in frames)
    joined = pd.concat(frames, ignore_index=True)
    assert len(joined) == summary.transactions
    assert joined["txn_ref"].tolist() == [f"S4-{n:09d}" for n in range(len(joined))]
    key = list(zip(joined["date"], joined["time"], joined["txn_ref"], strict=True))
    assert key == sorted(key)
    truth = _truth(tmp_path)
    planted = {r for s in truth["scenarios"] + truth["decoys"] for r in s["txn_refs"]}
    assert planted <= set(joined["txn_ref"])
