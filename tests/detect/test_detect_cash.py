"""Pass-through and cash: conduits (D1), cash-fed accounts (E1), forced begging (J2)."""

from __future__ import annotations

from detectcase import CONFIG, account, build, company_holder, person_holder, txn

from finflow.detect.cash import detect_begging, detect_cash_fed, detect_pass_through

ACC = account(250)
EMPLOYER = account(251)
HOLDERS = [person_holder(ACC, "Ion Popa", "1990-01-01"), company_holder(EMPLOYER, "Arbeidsgiver AS", 6)]


def test_account_living_on_cash_without_income(tmp_path):
    rows = [txn(2 + 4 * i, 3000, None, ACC, "cash_deposit", "Innskudd automat") for i in range(6)]
    data = build(tmp_path, rows, holders=HOLDERS)
    (finding,) = detect_cash_fed(data, CONFIG["cash"])
    assert finding.subjects[0].id == ACC
    assert finding.metrics == {"cash_months": 1, "structured": False}
    assert "6 cash deposits (100% of credits) and no salary" in finding.summary


def test_salary_earner_with_some_cash_is_not_cash_fed(tmp_path):
    rows = [txn(20, 35000, EMPLOYER, ACC, "salary", "Lønn")]
    rows += [txn(2 + 4 * i, 3000, None, ACC, "cash_deposit", "Innskudd") for i in range(6)]
    data = build(tmp_path, rows, holders=HOLDERS)
    assert detect_cash_fed(data, CONFIG["cash"]) == []


def test_cash_deposits_just_below_a_threshold_are_structuring(tmp_path):
    rows = [txn(20, 35000, EMPLOYER, ACC, "salary", "Lønn")]
    rows += [txn(d, 7800, None, ACC, "cash_deposit", "Innskudd") for d in (3, 5, 7)]
    data = build(tmp_path, rows, holders=HOLDERS)
    (finding,) = detect_cash_fed(data, CONFIG["cash"])
    assert finding.metrics["structured"] is True and len(finding.evidence_txn_ids) == 3


def test_deposits_far_below_thresholds_are_not_structuring(tmp_path):
    rows = [txn(20, 35000, EMPLOYER, ACC, "salary", "Lønn")]
    rows += [txn(d, 5000, None, ACC, "cash_deposit", "Innskudd") for d in (3, 5, 7)]
    data = build(tmp_path, rows, holders=HOLDERS)
    assert detect_cash_fed(data, CONFIG["cash"]) == []


def _conduit(keep: bool) -> list[dict]:
    rows = []
    for i in range(6):
        rows.append(txn(1 + 4 * i, 10000, account(260 + i), ACC, "transfer", "Lån", time="09:00"))
        if not keep:
            rows.append(txn(1 + 4 * i, 9900, ACC, account(290), "transfer", "", time="11:00"))
    return rows


def test_rapid_in_and_out_is_a_conduit(tmp_path):
    data = build(tmp_path, _conduit(keep=False), holders=HOLDERS)
    (finding,) = detect_pass_through(data, CONFIG["pass_through"])
    assert finding.subjects[0].id == ACC and finding.subjects[0].role == "facilitator"
    assert finding.metrics["cycles"] == 6 and finding.metrics["forwarded_share"] > 0.95


def test_money_kept_is_not_passed_through(tmp_path):
    data = build(tmp_path, _conduit(keep=True), holders=HOLDERS)
    assert detect_pass_through(data, CONFIG["pass_through"]) == []


MEMBERS = [account(270 + i) for i in range(3)]
ORGANISER = account(280)
BEG_HOLDERS = [
    person_holder(a, n, f"198{i}-02-02")
    for i, (a, n) in enumerate(zip(MEMBERS, ["Ion Stan", "Ana Dinu", "Vali Tudor"], strict=True))
]
BEG_HOLDERS.append(person_holder(ORGANISER, "Sef Mare", "1975-03-03"))


def _begging(pass_on: bool) -> list[dict]:
    rows = []
    for acc in MEMBERS:
        for i in range(10):
            rows.append(txn(1 + 2 * i, 300, None, acc, "cash_deposit", "Innskudd automat Oslo", time="15:00"))
        if pass_on:
            rows += [txn(d, 1000, acc, ORGANISER, "p2p", "") for d in (7, 14, 21)]
    return rows


def test_small_cash_deposits_passed_to_an_organiser(tmp_path):
    data = build(tmp_path, _begging(pass_on=True), holders=BEG_HOLDERS)
    (finding,) = detect_begging(data, CONFIG["begging"])
    roles = {s.id: s.role for s in finding.subjects}
    assert roles[ORGANISER] == "controller" and all(roles[m] == "possible_victim" for m in MEMBERS)
    assert finding.metrics == {"members": 3, "deposits": 30}


def test_small_cash_deposits_kept_are_not_begging_for_someone(tmp_path):
    data = build(tmp_path, _begging(pass_on=False), holders=BEG_HOLDERS)
    assert detect_begging(data, CONFIG["begging"]) == []


def test_mule_chain_keeping_a_fee_each_time_is_a_conduit_fed_by_its_origin(tmp_path):
    origin, mule, dest = account(240), account(241), account(242)
    rows = []
    for start, amount in [(1, 110000), (16, 37000), (43, 116000), (59, 156000)]:
        rows.append(txn(start, amount, origin, mule, "transfer", "", time="22:30"))
        rows.append(txn(start + 1, amount * 0.975, mule, dest, "transfer", "Lån", time="17:00"))
    holders = [company_holder(origin, "Skygge Trading AS", 7), person_holder(mule, "Ung Person", "2003-03-03")]
    data = build(tmp_path, rows, holders=holders)
    (finding,) = detect_pass_through(data, CONFIG["pass_through"])
    assert finding.subjects[0].id == mule and finding.metrics["cycles"] == 4
    assert finding.metrics["forwarded_share"] == 0.975  # the fee kept each time does not slow it down
    assert finding.subjects[1].id == origin and finding.subjects[1].role == "controller"
    assert "most of it came from Skygge Trading AS" in finding.summary


def test_the_conduit_where_money_enters_a_chain_is_its_front(tmp_path):
    origin, first, second, dest = account(250), account(251), account(252), account(253)
    customer = account(254)
    rows = []
    for start, amount in [(1, 110000), (16, 97000), (43, 116000), (59, 156000)]:
        rows.append(txn(start, amount, customer, origin, "transfer", "Faktura", time="09:00"))
        rows.append(txn(start, amount * 0.98, origin, first, "transfer", "", time="12:00"))
        rows.append(txn(start, amount * 0.96, first, second, "transfer", "Lån", time="15:00"))
        rows.append(txn(start + 1, amount * 0.94, second, dest, "transfer", "Gave", time="10:00"))
    holders = [
        company_holder(origin, "Skygge Trading AS", 8),
        company_holder(customer, "Stor Kunde AS", 9),
        person_holder(first, "Ung Person", "2003-03-03"),
        person_holder(second, "Annen Person", "2002-02-02"),
    ]
    data = build(tmp_path, rows, holders=holders)
    role = {f.subjects[0].id: f.subjects[0].role for f in detect_pass_through(data, CONFIG["pass_through"])}
    assert role == {origin: "front", first: "facilitator", second: "facilitator"}
    (entry,) = [f for f in detect_pass_through(data, CONFIG["pass_through"]) if f.subjects[0].id == origin]
    assert entry.metrics["enters_chain"] is True and f"next: {first}" in entry.summary


def test_a_lone_conduit_is_no_chain_front(tmp_path):
    conduit, dest, customer = account(260), account(261), account(262)
    rows = []
    for start, amount in [(1, 110000), (16, 97000), (43, 116000), (59, 156000)]:
        rows.append(txn(start, amount, customer, conduit, "transfer", "Faktura", time="09:00"))
        rows.append(txn(start, amount * 0.98, conduit, dest, "transfer", "", time="12:00"))
    holders = [company_holder(conduit, "Mellomledd AS", 8), company_holder(customer, "Stor Kunde AS", 9)]
    data = build(tmp_path, rows, holders=holders)
    (finding,) = detect_pass_through(data, CONFIG["pass_through"])
    assert finding.subjects[0].role == "facilitator" and finding.metrics["enters_chain"] is False
