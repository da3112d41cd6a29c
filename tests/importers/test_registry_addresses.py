"""Address normalisation: spellings of one premises meet, different premises do not."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finflow.addresses import (
    normalize_address,
    normalize_addresses,
    normalize_street,
    split_one_line,
)
from finflow.ids import address_id


@pytest.mark.parametrize(
    ("variants", "expected"),
    [
        (
            ["Storgata 5B", "STORGATEN 5 b", "Storgt. 5b", "Storgt 5 B", "storgate  5b"],
            "storgate 5b",
        ),
        (
            ["Thorvald Meyers gate 12", "Thorvald Meyers gt. 12", "thorvald meyers gata 12"],
            "thorvald meyers gate 12",
        ),
        (
            ["Trondheimsveien 2", "Trondheimsvn. 2", "Trondheimsvei 2", "TRONDHEIMSVN 2"],
            "trondheimsvei 2",
        ),
        (["Olaf Ryes plass 3", "Olaf Ryes pl. 3", "Olaf Ryes plassen 3"], "olaf ryes plass 3"),
        (
            ["Bjørnstjerne Bjørnsons gate 1", "BJØRNSTJERNE BJØRNSONS GT. 1"],
            "bjørnstjerne bjørnsons gate 1",
        ),
    ],
)
def test_street_variants_meet(variants, expected):
    assert normalize_street(pd.Series(variants)).tolist() == [expected] * len(variants)


def test_words_that_merely_end_like_abbreviations_are_kept():
    streets = pd.Series(["Langt borte 1", "Langtveit 3", "Gatenes vei 4", "Plassveien 2", "Haugtun 7"])
    assert normalize_street(streets).tolist() == [
        "langt borte 1", "langtveit 3", "gatenes vei 4", "plassvei 2", "haugtun 7",
    ]  # fmt: skip


def test_norwegian_letters_are_kept_not_folded():
    assert normalize_street(pd.Series(["Ærøgata 1", "Aerogata 1"])).nunique() == 2


def test_postcode_padding_and_key():
    norm = normalize_addresses(
        pd.Series(["Storgata 5B", "Storgt. 5 b", "Storgata 5B", "Storgata 5B"]),
        pd.Series(["150", "0150", "0150", ""]),
        pd.Series(["Oslo", "OSLO", "Oslo sentrum", "Oslo"]),
        pd.Series(["", "NO", "no", "NO"]),
    )
    assert norm["normalized"].tolist()[:3] == ["storgate 5b, 0150, NO"] * 3
    assert norm["address_id"].iloc[0] == address_id("storgate 5b, 0150, NO")
    assert norm["normalized"].iloc[3] == "storgate 5b, oslo, NO"  # no postcode: the city decides
    assert norm["postcode"].iloc[0] == "0150"


def test_foreign_postcodes_are_not_padded_and_countries_separate():
    norm = normalize_addresses(
        pd.Series(["Main Street 1", "Main Street 1"]),
        pd.Series(["150", "150"]),
        None,
        pd.Series(["GB", "NO"]),
    )
    assert norm["normalized"].tolist() == ["main street 1, 150, GB", "main street 1, 0150, NO"]


def test_no_street_no_address():
    norm = normalize_addresses(pd.Series(["", None]), pd.Series(["0150", "0150"]), pd.Series(["Oslo", "Oslo"]))
    assert norm["address_id"].isna().all()
    assert normalize_address("", "0150", "Oslo") is None
    assert normalize_address("Storgata 5B", "0150") == (
        "storgate 5b, 0150, NO",
        address_id("storgate 5b, 0150, NO"),
    )


def test_split_one_line():
    parts = split_one_line(pd.Series(["Storgata 5B, 0150 Oslo", "Ukjent", "c/o X, Storgt. 5 b, 0150 OSLO"]))
    assert parts.iloc[0].tolist() == ["Storgata 5B", "0150", "Oslo"]
    assert parts.iloc[1].tolist() == ["Ukjent", "", ""]
    assert parts.iloc[2].tolist() == ["c/o X, Storgt. 5 b", "0150", "OSLO"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=30) | st.none(), max_size=8))
def test_any_text_normalises_deterministically_and_idempotently(streets):
    series = pd.Series(streets, dtype="string")
    once = normalize_street(series)
    assert once.tolist() == normalize_street(series).tolist()
    assert normalize_street(once).tolist() == once.tolist()
    norm = normalize_addresses(series)
    assert len(norm) == len(streets)
    assert (norm["address_id"].isna() == norm["normalized"].isna()).all()
