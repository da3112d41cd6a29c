"""The collector detector fires on a controller's account and not on innocent look-alikes."""

from __future__ import annotations

from datetime import date, timedelta

from casebuilder import account, case_from_rows

from finflow.config import load_config
from finflow.detect.collector import detect_collectors

PARAMS = load_config()["collector"]
COLLECTOR = account(900)
OUTSIDE_IBAN = "RO49AAAA1B31007593840000"  # a valid Romanian IBAN (mod-97)
CLIENT_NAMES = [
    "Per Olsen", "Jon Berg", "Ali Khan", "Lars Dahl", "Tor Moe", "Erik Lie", "Nils Bakke", "Arne Vik",
    "Ole Strand", "Geir Foss", "Knut Aas",
]  # fmt: skip


def _inflows(to: str, amount: str = "1200", start: date = date(2026, 3, 2), hour: str = "23:15") -> list[dict]:
    rows = []
    for i, name in enumerate(CLIENT_NAMES):
        for k in range(2):
            rows.append({
                "date": (start + timedelta(days=i * 2 + k)).isoformat(), "time": hour, "amount": amount,
                "currency": "NOK", "from_account": account(i), "from_name": name, "to_account": to,
                "to_name": "Mona Holder", "channel": "p2p", "description": "vipps", "txn_ref": f"in-{i}-{k}",
            })  # fmt: skip
    return rows


def _forward_all(rows: list[dict], src: str, dest: str, delay_days: int) -> list[dict]:
    out = []
    for n, row in enumerate(rows):
        day = date.fromisoformat(row["date"]) + timedelta(days=delay_days)
        out.append({
            "date": day.isoformat(), "time": "10:00", "amount": row["amount"], "currency": "NOK",
            "from_account": src, "from_name": "Mona Holder", "to_account": dest, "to_name": "Receiver",
            "channel": "remittance" if dest.startswith("RO") else "transfer", "description": "send",
            "txn_ref": f"out-{n}",
        })  # fmt: skip
    return out


def test_flags_controller_that_forwards_small_unrelated_payments(tmp_path):
    rows = _inflows(COLLECTOR)
    rows += _forward_all(rows, COLLECTOR, OUTSIDE_IBAN, delay_days=1)
    data = case_from_rows(tmp_path, rows)
    (finding,) = detect_collectors(data, PARAMS)
    assert finding.subjects[0].id == COLLECTOR
    assert finding.subjects[0].role == "controller"
    assert finding.metrics["distinct_unrelated_senders"] == 11
    assert finding.metrics["forwarded_share"] == 1.0
    assert "11 distinct unrelated private senders" in finding.summary
    assert "median NOK 1 200" in finding.summary and "forwarded 100%" in finding.summary
    assert 0.5 < finding.score <= 1.0
    inflow_ids = set(data.transactions.loc[data.transactions["to_account"] == COLLECTOR, "txn_id"])
    assert inflow_ids <= set(finding.evidence_txn_ids)


def test_shop_that_keeps_its_takings_is_not_flagged(tmp_path):
    rows = _inflows(COLLECTOR, hour="12:30")
    data = case_from_rows(tmp_path, rows)
    assert detect_collectors(data, PARAMS) == []


def test_slow_forwarding_is_not_forwarding(tmp_path):
    rows = _inflows(COLLECTOR)
    rows += _forward_all(rows, COLLECTOR, OUTSIDE_IBAN, delay_days=20)
    data = case_from_rows(tmp_path, rows)
    assert detect_collectors(data, PARAMS) == []


def test_landlord_rent_sized_payments_are_not_flagged(tmp_path):
    rows = _inflows(COLLECTOR, amount="9500")
    rows += _forward_all(rows, COLLECTOR, account(950), delay_days=1)
    data = case_from_rows(tmp_path, rows)
    assert detect_collectors(data, PARAMS) == []


def test_family_senders_sharing_the_surname_do_not_count(tmp_path):
    rows = _inflows(COLLECTOR)
    for row in rows:
        row["from_name"] = row["from_name"].split()[0] + " Holder"
    rows += _forward_all(rows, COLLECTOR, OUTSIDE_IBAN, delay_days=0)
    data = case_from_rows(tmp_path, rows)
    assert detect_collectors(data, PARAMS) == []


def test_victim_account_swept_to_a_collector_is_a_feeder_not_a_collector(tmp_path):
    victim = account(800)
    rows = _inflows(victim)
    sweeps = _forward_all(rows, victim, COLLECTOR, delay_days=0)
    # the controller also receives from four other swept accounts, and remits abroad
    extra = []
    for v in range(4):
        extra.append(
            {
                "date": "2026-03-05",
                "time": "09:00",
                "amount": "5000",
                "currency": "NOK",
                "from_account": account(700 + v),
                "from_name": f"Victim {v} Nova{v}",
                "to_account": COLLECTOR,
                "to_name": "Boss Man",
                "channel": "transfer",
                "txn_ref": f"x{v}",
            }
        )
    remit = _forward_all(sweeps + extra, COLLECTOR, OUTSIDE_IBAN, delay_days=1)
    for n, row in enumerate(remit):
        row["txn_ref"] = f"remit-{n}"
    data = case_from_rows(tmp_path, rows + sweeps + extra + remit)
    flagged = {f.subjects[0].id for f in detect_collectors(data, PARAMS)}
    assert victim not in flagged


def test_stricter_threshold_from_configuration_suppresses(tmp_path):
    rows = _inflows(COLLECTOR)
    rows += _forward_all(rows, COLLECTOR, OUTSIDE_IBAN, delay_days=1)
    data = case_from_rows(tmp_path, rows)
    strict = load_config(overrides={"collector": {"min_senders_if_not_swept": 12}})["collector"]
    assert detect_collectors(data, strict) == []
    assert len(detect_collectors(data, PARAMS)) == 1


def test_treasurer_forwarding_one_off_fees_is_not_flagged(tmp_path):
    rows = [row for row in _inflows(COLLECTOR, amount="400") if row["txn_ref"].endswith("-0")]
    rows += _forward_all(rows, COLLECTOR, account(951), delay_days=1)
    data = case_from_rows(tmp_path, rows)
    assert detect_collectors(data, PARAMS) == []


def test_controller_fed_by_swept_accounts_is_flagged_and_the_spender_is_not(tmp_path):
    rows = []
    for v in range(5):  # five victims: clients pay them, each day's takings swept to the controller
        victim = account(600 + v)
        for day in range(1, 11):
            stamp = f"2026-04-{day:02d}"
            rows.append({"date": stamp, "time": "23:30", "amount": "1500", "currency": "NOK",
                         "from_account": account(500 + v * 20 + day), "from_name": f"Client {v}{day} Hansen{v}{day}",
                         "to_account": victim, "to_name": f"Victim{v} Nowak{v}", "channel": "p2p",
                         "txn_ref": f"c{v}-{day}"})
            rows.append({"date": stamp, "time": "23:59", "amount": "1400", "currency": "NOK",
                         "from_account": victim, "from_name": f"Victim{v} Nowak{v}", "to_account": COLLECTOR,
                         "to_name": "Boss Man", "channel": "p2p", "txn_ref": f"s{v}-{day}"})
    # an ordinary person: six friends pay back shared costs twice, all of it spent the next day
    spender = account(990)
    for i, name in enumerate(CLIENT_NAMES[:6]):
        for k in range(2):
            stamp = f"2026-04-{i * 2 + k + 1:02d}"
            rows.append({"date": stamp, "amount": "300", "currency": "NOK", "from_account": account(960 + i),
                         "from_name": name, "to_account": spender, "to_name": "Siri Spender", "channel": "p2p",
                         "txn_ref": f"f{i}-{k}"})
            rows.append({"date": stamp, "amount": "300", "currency": "NOK", "from_account": spender,
                         "to_account": account(999), "to_name": "Rema 1000 AS", "channel": "card",
                         "txn_ref": f"spend{i}-{k}"})
    data = case_from_rows(tmp_path, rows)
    findings = {f.subjects[0].id: f for f in detect_collectors(data, PARAMS)}
    assert set(findings) == {COLLECTOR}
    assert findings[COLLECTOR].metrics["swept_in_share"] == 1.0
    assert "came from accounts that pass nearly all their money to it" in findings[COLLECTOR].summary
