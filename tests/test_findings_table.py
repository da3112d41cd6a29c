"""The terminal findings table never cuts an account number or a name mid-way."""

from __future__ import annotations

from finflow.detect.base import Finding, Subject
from finflow.findings_io import findings_table


def _finding(label: str, ident: str) -> Finding:
    return Finding(
        detector="sweep",
        subjects=[Subject("account", ident, "controller", label)],
        score=0.9,
        summary="swept NOK 1 000",
        parameters={},
    )


def test_long_names_are_shortened_at_a_word_and_ids_stay_whole():
    long_name = "Kristina Stankevičiūtė-Petrauskienė Jonaitytė"
    table = findings_table([_finding(long_name, "12542133013"), _finding("Ola", "86016086683")])
    lines = table.splitlines()
    assert "12542133013" in lines[1] and "86016086683" in lines[2]
    subject = lines[1].split("controller", 1)[1].split("swept")[0].strip()
    assert subject.endswith("… 12542133013")
    shown_name = subject.removesuffix("… 12542133013")
    assert long_name.startswith(shown_name) and long_name[len(shown_name)] == " "  # cut between words
    # the summary column starts at the same place on every row
    assert lines[1].index("swept") == lines[2].index("swept")


def test_a_long_id_widens_the_column_instead_of_being_cut():
    ident = "ident-4547faa16d522a9b0c1d2e3f40516273"
    table = findings_table([_finding("phone number", ident)])
    assert ident in table
