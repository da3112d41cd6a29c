"""Hubs and control: sweeps (A2), night-time P2P receipts (A3), shared identifiers (A4)."""

from __future__ import annotations

from datetime import date

from detectcase import CONFIG, START, account, build, person_holder, txn

from finflow.detect.hubs import detect_night_p2p, detect_shared_identifiers, detect_sweeps

CONTROLLER = account(500)
VICTIMS = [account(510 + i) for i in range(3)]


def _client_payments(victim: str, k: int, *, night: bool = True) -> list[dict]:
    rows = []
    for month in range(3):
        for i in range(8):
            rows.append(txn(month * 30 + i * 3, 1500, account(600 + k * 50 + i), victim, "p2p", "vipps",
                            time="23:30" if night else "12:00", from_name=f"Client{i} Kunde{k}{i}"))  # fmt: skip
    return rows


def _sweeps(rows: list[dict], victim: str, dest: str, delay_days: int) -> list[dict]:
    """Each receipt passed on whole to ``dest`` the same night (plus ``delay_days``)."""
    out = []
    for r in rows:
        n = (date.fromisoformat(r["date"]) - START).days + delay_days
        out.append(txn(n, 1500, victim, dest, "transfer", "", time="23:55"))
    return out


def _ring(delay_days: int = 0, victims: list[str] = VICTIMS) -> list[dict]:
    rows = []
    for k, v in enumerate(victims):
        inflow = _client_payments(v, k)
        rows += inflow + _sweeps(inflow, v, CONTROLLER, delay_days)
    return rows


def _holders(victims=VICTIMS) -> list[dict]:
    names = ["Ana Lupu", "Ioana Rusu", "Maria Stoica"]
    rows = [person_holder(v, names[i], f"199{i}-01-01") for i, v in enumerate(victims)]
    return [*rows, person_holder(CONTROLLER, "Boss Mann", "1980-05-05")]


def test_accounts_swept_to_one_controller_are_victims_and_controller(tmp_path):
    data = build(tmp_path, _ring(), holders=_holders())
    (finding,) = detect_sweeps(data, CONFIG["sweep"])
    roles = {s.id: s.role for s in finding.subjects}
    assert roles[CONTROLLER] == "controller"
    assert all(roles[v] == "possible_victim" for v in VICTIMS)
    assert finding.metrics["swept_accounts"] == 3
    assert finding.metrics["mean_forwarded_share"] == 1.0
    assert "3 private accounts" in finding.summary and "100%" in finding.summary
    assert len(finding.evidence_txn_ids) == 3 * 24


def test_one_household_forwarding_is_not_a_controller(tmp_path):
    data = build(tmp_path, _ring(victims=VICTIMS[:1]), holders=_holders())
    assert detect_sweeps(data, CONFIG["sweep"]) == []


def test_forwarding_after_days_is_not_a_sweep(tmp_path):
    data = build(tmp_path, _ring(delay_days=4), holders=_holders())
    assert detect_sweeps(data, CONFIG["sweep"]) == []


def test_night_p2p_flags_many_round_night_payments(tmp_path):
    rows = []
    for i in range(12):
        rows.append(txn(i, 1000 + 100 * (i % 5), account(700 + i), VICTIMS[0], "p2p", "", time="01:15",
                        from_name=f"Payer{i} Person{i}"))  # fmt: skip
    data = build(tmp_path, rows, holders=_holders())
    (finding,) = detect_night_p2p(data, CONFIG["night_p2p"])
    assert finding.subjects[0].id == VICTIMS[0] and finding.subjects[0].role == "possible_victim"
    assert finding.metrics["max_payers_in_month"] == 12
    assert "100% at night" in finding.summary


def test_daytime_shop_takings_are_not_night_p2p(tmp_path):
    rows = [
        txn(i, 1000, account(700 + i), VICTIMS[0], "p2p", "", time="13:15", from_name=f"P{i} Q{i}") for i in range(12)
    ]
    data = build(tmp_path, rows, holders=_holders())
    assert detect_night_p2p(data, CONFIG["night_p2p"]) == []


def _person(name: str, birth: str, phone: str) -> dict:
    return {"name": name, "birth_date": birth, "nationality": "RO", "phone": phone, "street": "Storgata 1",
            "postcode": "0150", "city": "Oslo", "country": "NO", "address_from": "2025-01-01"}  # fmt: skip


def test_phone_shared_by_unrelated_persons_is_flagged(tmp_path):
    people = [
        _person(n, f"199{i}-02-02", "+47 412 34 567") for i, n in enumerate(["Ana Lupu", "Ioana Rusu", "Maria Stoica"])
    ]
    data = build(tmp_path, persons=people)
    (finding,) = detect_shared_identifiers(data, CONFIG["shared_identifiers"])
    assert finding.metrics["parties"] == 3
    assert finding.evidence_records and finding.evidence_records[0]["table"] == "identifiers"
    assert "3 different persons" in finding.summary


def test_family_sharing_a_phone_is_not_flagged(tmp_path):
    people = [_person(n, f"199{i}-02-02", "+47 412 34 567") for i, n in enumerate(["Ana Lupu", "Dan Lupu", "Ion Lupu"])]
    data = build(tmp_path, persons=people)
    assert detect_shared_identifiers(data, CONFIG["shared_identifiers"]) == []
