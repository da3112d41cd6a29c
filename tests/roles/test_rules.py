"""Each role rule on hand-built findings, with the innocent counterpart that changes one thing."""

from __future__ import annotations

import pytest
from detectcase import CONFIG

from finflow.detect.base import Finding, Subject
from finflow.roles import resolve_roles
from finflow.subjects import rank_subjects


def _f(detector: str, score: float, *subjects: tuple[str, str], summary: str = "why") -> Finding:
    return Finding(detector, [Subject("account", sid, role) for sid, role in subjects], score, summary, {})


SWEEP = _f("sweep", 0.9, ("C", "controller"), ("V", "possible_victim"), ("W", "possible_victim"))
# V's repeat clients pay fixed amounts: debt_repayments reads V as a creditor and the clients as debtors
DEBT = _f("debt_repayments", 1.0, ("V", "controller"), ("K1", "possible_victim"), ("K2", "possible_victim"),
          ("K3", "possible_victim"))  # fmt: skip


def test_swept_account_is_a_victim_whatever_debt_repayments_says():
    roles = resolve_roles([SWEEP, DEBT], config=CONFIG)
    assert roles.role(("account", "V")) == "possible_victim"
    assert roles.roles[("account", "V")].finding_id == SWEEP.finding_id
    assert "sweep" in roles.roles[("account", "V")].basis
    assert DEBT.finding_id in roles.overruled
    # the victim's clients are not victims of anyone: the overruled finding decides no role
    assert {roles.role(("account", k)) for k in ("K1", "K2", "K3")} == {"context"}
    ranking = rank_subjects([SWEEP, DEBT], config=CONFIG, roles=roles)
    assert ranking.suspects["subject_id"].tolist() == ["C"]
    assert sorted(ranking.victims["subject_id"]) == ["V", "W"]


def test_without_the_sweep_debt_repayments_keeps_its_reading():
    roles = resolve_roles([DEBT], config=CONFIG)
    assert roles.role(("account", "V")) == "controller" and not roles.overruled
    assert roles.role(("account", "K1")) == "possible_victim"


def test_pass_through_does_not_make_a_swept_victim_a_facilitator():
    conduit = _f("pass_through", 0.95, ("V", "facilitator"))
    roles = resolve_roles([SWEEP, conduit], config=CONFIG)
    assert roles.role(("account", "V")) == "possible_victim" and conduit.finding_id in roles.overruled
    # the same pattern on an account nobody sweeps is a facilitator
    other = _f("pass_through", 0.95, ("M", "facilitator"))
    assert resolve_roles([SWEEP, other], config=CONFIG).role(("account", "M")) == "facilitator"


def test_never_both_victim_and_suspect_unless_the_controller_evidence_outweighs():
    night = _f("night_p2p", 0.5, ("X", "possible_victim"))
    weak = _f("lodging_travel", 0.3, ("X", "facilitator"))
    roles = resolve_roles([night, weak], config=CONFIG)
    ranking = rank_subjects([night, weak], config=CONFIG, roles=roles)
    assert roles.role(("account", "X")) == "possible_victim"
    assert "X" not in set(ranking.suspects["subject_id"]) and "X" in set(ranking.victims["subject_id"])
    # a victim turned recruiter: strong controller evidence, and nobody takes its money
    strong = _f("collector", 1.0, ("X", "controller"))
    assert resolve_roles([night, strong], config=CONFIG).role(("account", "X")) == "controller"
    # ... but once its own money is swept it is a victim again
    swept = _f("sweep", 0.6, ("Y", "controller"), ("X", "possible_victim"), ("Z", "possible_victim"))
    assert resolve_roles([night, strong, swept], config=CONFIG).role(("account", "X")) == "possible_victim"


def test_family_remittance_account_of_victims_is_context_not_controller():
    clawback = _f("wage_clawback", 0.9, ("E", "controller"), ("W1", "possible_victim"), ("W2", "possible_victim"),
                  ("W3", "possible_victim"))  # fmt: skip
    home = _f("foreign_beneficiary", 0.64, ("B", "controller"), ("W1", "unknown"), ("W2", "unknown"),
              ("W3", "unknown"))  # fmt: skip
    roles = resolve_roles([clawback, home], config=CONFIG)
    assert roles.role(("account", "B")) == "context"
    assert "3 of its 3 senders are possible victims" in roles.roles[("account", "B")].basis
    # unrelated senders who are not victims: the beneficiary stays the detector's controller
    strangers = _f("foreign_beneficiary", 0.64, ("B", "controller"), ("S1", "unknown"), ("S2", "unknown"),
                   ("S3", "unknown"))  # fmt: skip
    assert resolve_roles([clawback, strangers], config=CONFIG).role(("account", "B")) == "controller"


def test_counterparties_are_context_unless_their_own_behaviour_is_flagged():
    # the rent of several tenants paid by P (rent for several homes alone would be weak, see test_weak_patterns)
    rent = _f("third_party_rent", 0.8, ("P", "controller"), ("L1", "unknown"), ("L2", "unknown"))
    roles = resolve_roles([rent], config=CONFIG)
    assert roles.role(("account", "L1")) == "context"
    assert "own behaviour not flagged" in roles.roles[("account", "L1")].basis
    ranking = rank_subjects([rent], config=CONFIG, roles=roles)
    assert ranking.suspects["subject_id"].tolist() == ["P"] and ranking.victims.empty
    # a landlord whose own accounts show a pattern is listed, decided by that finding
    own = _f("cash_fed", 0.7, ("L2", "unknown"))
    roles = resolve_roles([rent, own], config=CONFIG)
    assert roles.role(("account", "L2")) == "unknown" and roles.roles[("account", "L2")].finding_id == own.finding_id


def test_every_listed_subject_says_which_finding_decided_its_role():
    findings = [SWEEP, DEBT, _f("advert_payments", 0.7, ("C", "controller"))]
    ranking = rank_subjects(findings, config=CONFIG)
    for table in (ranking.suspects, ranking.victims):
        for basis in table["role_basis"]:
            decided = basis.split("(")[1].split(")")[0]
            assert decided.startswith("finding-")
            assert decided in {f.finding_id for f in findings}
    assert ranking.suspects.loc[0, "role_basis"].startswith("controller by sweep")


def test_scores_keep_their_order_above_one():
    three = [_f(d, 1.0, ("A", "controller")) for d in ("sweep", "collector", "advert_payments")]
    two = [_f(d, 1.0, ("B", "controller")) for d in ("sweep", "collector")]
    suspects = rank_subjects(three + two, config=CONFIG).suspects.set_index("subject_id")
    weights = CONFIG["subjects"]["weights"]
    expected = weights["sweep"] + weights["collector"] + weights["advert_payments"]
    assert suspects.loc["A", "score"] == pytest.approx(expected)
    assert suspects.loc["A", "score"] > suspects.loc["B", "score"] > 1.0
    assert suspects.loc["A", "rank"] == 1


def test_ties_go_to_more_evidence_not_to_the_alphabet():
    config = {**CONFIG, "subjects": {**CONFIG["subjects"], "weights": {"x": 1.0, "y": 1.0, "z": 1.0}}}
    findings = [_f("x", 0.6, ("AAA", "controller")), _f("y", 0.3, ("ZZZ", "controller")),
                _f("z", 0.3, ("ZZZ", "controller"))]  # fmt: skip
    suspects = rank_subjects(findings, config=config).suspects
    assert suspects["score"].tolist() == [pytest.approx(0.6), pytest.approx(0.6)]
    assert suspects["subject_id"].tolist() == ["ZZZ", "AAA"]  # two detectors agree on ZZZ


def test_victims_add_to_the_controllers_score_and_its_sentence():
    more = _f("sweep", 0.9, ("C2", "controller"), ("V1", "possible_victim"), ("V2", "possible_victim"),
              ("V3", "possible_victim"))  # fmt: skip
    suspects = rank_subjects([SWEEP, more], config=CONFIG).suspects.set_index("subject_id")
    victim = CONFIG["subjects"]["strength"]["victim"]
    assert suspects.loc["C2", "score"] - suspects.loc["C", "score"] == pytest.approx(victim)
    assert suspects.loc["C2", "victims"] == 3
    assert "3 possible victim(s) 0.45" in suspects.loc["C2", "score_explanation"]


def test_registry_structure_alone_does_not_make_a_suspect():
    board = Finding("shared_role_holders", [Subject("party", "P", "controller"), Subject("party", "Co", "front")], 0.6,
                    "holds board roles in 4 companies", {})  # fmt: skip
    roles = resolve_roles([board], config=CONFIG)
    assert roles.role(("party", "P")) == "context" and roles.role(("party", "Co")) == "context"
    # with a pattern in the money it corroborates
    taken = [Subject("party", "P", "controller"), Subject("account", "W1", "possible_victim")]
    clawback = Finding("wage_clawback", taken, 0.8, "paid back", {})
    roles = resolve_roles([board, clawback], config=CONFIG)
    assert roles.role(("party", "P")) == "controller"
    suspects = rank_subjects([board, clawback], config=CONFIG, roles=roles).suspects
    assert suspects.loc[0, "detectors"] == "shared_role_holders,wage_clawback"


def test_each_networks_controller_comes_first_and_names_it():
    from finflow.leads import lead_networks
    from finflow.networks import Network

    role_weights = {**CONFIG["subjects"]["role_weights"], "facilitator": 0.9}
    subjects = {**CONFIG["subjects"], "weights": {"x": 1.0, "y": 1.0}, "role_weights": role_weights}
    config = {**CONFIG, "subjects": subjects}
    findings = [_f("x", 0.7, ("Boss1", "controller")), _f("x", 0.8, ("Boss2", "controller"))]
    findings += [_f("y", 1.0, (f"Co{i}", "facilitator")) for i in range(3)]  # priority 1.0 x 0.9
    ranking = rank_subjects(findings, config=config)
    assert ranking.suspects["subject_id"].tolist() == ["Co0", "Co1", "Co2", "Boss2", "Boss1"]  # priority alone

    def net(members):
        return Network("n-" + members[0], members, members, {}, 0, [])

    ranking, networks = lead_networks(ranking, [net(["Boss1", "Co0", "Co1", "Co2"]), net(["Boss2"])])
    order = ranking.suspects["subject_id"].tolist()
    # the controllers first, Boss1 at its network's top priority (0.9), then the companies
    assert order == ["Boss1", "Boss2", "Co0", "Co1", "Co2"]
    assert [n.name for n in networks] == ["network of Boss1", "network of Boss2"]
    assert set(ranking.suspects["network"]) == {"network of Boss1", "network of Boss2"}
