"""A case written as the extracts investigators receive gives the same picture as generic CSV."""

from __future__ import annotations

import pytest

from finflow.investigate import investigate
from finflow.outputs import OutputSettings
from finflow.synth import generate
from finflow.writers.multiformat import write_multiformat_case

NO_VIEWS = OutputSettings(subject_views=0, finding_views=0, traces=0)
#: Detectors whose inputs survive every format: accounts, amounts, dates, channels and the
#: counterparty names (the newer DNB export gives them only in the text, ``Vipps Kari Olsen``).
#: Time of day and payment texts do not survive (most bank exports carry neither), so detectors
#: that read them (rent and advert texts) can differ and are not compared here; night_p2p reads
#: times only where they are known.
FORMAT_ROBUST = {"collector", "sweep", "night_p2p", "wage_clawback", "round_trip", "mule_chain"}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [5, 8])
def test_multiformat_case_imports_to_the_same_transactions_and_findings(tmp_path, seed, monkeypatch):
    monkeypatch.setenv("FINFLOW_CASE_KEY", "one-key-for-both-cases")  # person ids are keyed per case
    generate(seed, 5000, tmp_path / "generic")
    written = write_multiformat_case(str(tmp_path / "generic"), str(tmp_path / "multi"), seed)
    assert {"camt053", "no_bank_csv", "generic_csv"} <= set(written.files.values())
    assert written.both_sides, "no account pair has both statements: de-duplication not exercised"

    plain = investigate(tmp_path / "generic", case_dir=tmp_path / "c1", out_dir=tmp_path / "o1", settings=NO_VIEWS)
    multi = investigate(tmp_path / "multi", case_dir=tmp_path / "c2", out_dir=tmp_path / "o2", settings=NO_VIEWS)

    columns = ["txn_id", "booking_date", "amount_minor", "currency", "from_account", "to_account"]
    a = plain.data.transactions[columns].sort_values("txn_id").reset_index(drop=True)
    b = multi.data.transactions[columns].sort_values("txn_id").reset_index(drop=True)
    assert len(a) == len(b)
    assert a.astype("string").equals(b.astype("string"))
    assert sum(r.duplicates for r in multi.reports) > 0  # both sides of transfers were seen
    assert all(r.reconciles for r in multi.reports if r.status == "imported")

    def flagged(result):
        return {(f.detector, s.id, s.role) for f in result.findings if f.detector in FORMAT_ROBUST for s in f.subjects}

    assert flagged(plain) == flagged(multi)
    assert any(d == "collector" for d, _, _ in flagged(plain))
    victims = {(d, s) for d, s, role in flagged(plain) if role == "possible_victim"}
    assert {d for d, _ in victims} >= {"night_p2p", "sweep"}

    # the newer DNB statements name their payers only in the text; the names were taken from it
    tx = multi.data.transactions
    vipps = tx[tx["source_file"].astype("string").str.startswith("dnb-motkonto_") & (tx["channel"] == "p2p")]
    same = vipps.merge(plain.data.transactions, on="txn_id", suffixes=("", "_plain"))
    assert len(same) >= 20
    for side in ("from_name", "to_name"):
        named = same[side].notna()
        assert (same.loc[named, side] == same.loc[named, f"{side}_plain"]).all()
    assert (same["from_name"].notna() | same["to_name"].notna()).mean() > 0.9
