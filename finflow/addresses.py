"""Normalising postal addresses so that people and companies at the same premises meet.

Registry extracts, population-register extracts, leases and money-transfer receipts write the same
address differently: ``Storgata 5B``, ``STORGATEN 5 b``, ``Storgt. 5b``. The normalised text lower-
cases (keeping æ, ø, å), folds the common Norwegian street-type variants to one spelling
(``gata``/``gaten``/``gt.`` → ``gate``, ``veien``/``vn.`` → ``vei``,
``plassen``/``pl.`` → ``plass``),
joins a house letter to its number (``5 b`` → ``5b``) and pads a Norwegian postcode to four digits
(``150`` → ``0150``, as spreadsheets drop the leading zero).

The key is ``<street>, <postcode>, <country>`` when there is a postcode — the postcode decides the
place in Norway, so ``Oslo``/``OSLO``/``Oslo sentrum`` do not split an address — and
``<street>, <city>, <country>`` otherwise. A missing country is taken as ``NO``: every extract
finflow reads without a country column is Norwegian. ``address_id`` hashes the key.

Everything is vectorised over the distinct values, so a million addresses normalise in seconds.
"""

from __future__ import annotations

import unicodedata

import pandas as pd

from finflow.ids import content_ids

__all__ = ["normalize_address", "normalize_addresses", "normalize_street", "split_one_line"]

# (pattern, replacement) applied in order to casefolded, punctuation-spaced street text.
# A dot has already become " ." so abbreviations are recognisable as whole words.
_STREET_RULES: list[tuple[str, str]] = [
    (r"(?<=\w)(?:gata|gaten)\b", "gate"),  # Storgata, Storgaten → Storgate
    (r"\b(?:gata|gaten)\b", "gate"),  # Thorvald Meyers gata → … gate
    (r"(?<=\w)gt\s*\.", "gate"),  # Storgt. → Storgate
    (r"\bgt\b\s*\.?", "gate"),  # Thorvald Meyers gt → … gate
    (r"(?<=\w)gt(?=\s+\d|\s*$)", "gate"),  # Storgt 5 → Storgate 5
    (r"(?<=\w)veien\b", "vei"),  # Trondheimsveien → Trondheimsvei
    (r"\bveien\b", "vei"),
    (r"(?<=\w)vn\s*\.", "vei"),  # Trondheimsvn. → Trondheimsvei
    (r"\bvn\b\s*\.?", "vei"),
    (r"(?<=\w)vn(?=\s+\d|\s*$)", "vei"),
    (r"(?<=\w)plassen\b", "plass"),  # Olaf Ryes plassen → plass
    (r"\bplassen\b", "plass"),
    (r"(?<=\w)pl\s*\.", "plass"),
    (r"\bpl\b\s*\.?", "plass"),
]
# 5 b → 5b; applied last, once dots are spaces, so that ``5.b`` and ``5 b`` meet as well
_HOUSE_LETTER = (r"(\d+)\s+([a-zæøå])\b", r"\1\2")


def _fold(text: pd.Series) -> pd.Series:
    """NFKC, casefold, punctuation (except the dot of abbreviations) to spaces, single spaces."""
    folded = text.map(lambda s: unicodedata.normalize("NFKC", s).casefold(), na_action="ignore")
    folded = folded.astype("string").str.replace(r"[^\w.\s]|_", " ", regex=True)
    folded = folded.str.replace(".", " .", regex=False)
    return folded.str.replace(r"\s+", " ", regex=True).str.strip()


def normalize_street(street: pd.Series) -> pd.Series:
    """Normalised street lines (see module docstring); null or blank stays empty."""
    values = street.astype("string").fillna("")
    uniques = pd.Series(values.unique(), dtype="string")
    text = _fold(uniques)
    for pattern, replacement in _STREET_RULES:
        text = text.str.replace(pattern, replacement, regex=True)
    text = text.str.replace(".", " ", regex=False).str.replace(r"\s+", " ", regex=True).str.strip()
    text = text.str.replace(*_HOUSE_LETTER, regex=True)
    mapping = pd.Series(text.to_numpy(), index=pd.Index(uniques, dtype="string"))
    out = mapping.reindex(values.to_numpy())
    return pd.Series(out.to_numpy(), index=street.index, dtype="string")


def _postcode(postcode: pd.Series, country: pd.Series) -> pd.Series:
    compact = postcode.astype("string").fillna("").str.replace(r"[\s\-]", "", regex=True).str.upper()
    norwegian_short = (country == "NO") & compact.str.fullmatch(r"\d{1,4}")
    return compact.mask(norwegian_short, compact.str.zfill(4))


def normalize_addresses(
    street: pd.Series,
    postcode: pd.Series | None = None,
    city: pd.Series | None = None,
    country: pd.Series | None = None,
) -> pd.DataFrame:
    """Normalised address columns and ids, aligned to ``street``.

    Returns ``street``, ``postcode``, ``city``, ``country`` (cleaned display values),
    ``normalized`` (the comparison key) and ``address_id``. Rows with an empty street get null
    ``normalized`` and ``address_id``: a postcode or city alone is no premises to meet on.
    """
    index = street.index

    def column(values: pd.Series | None) -> pd.Series:
        if values is None:
            return pd.Series("", index=index, dtype="string")
        return values.astype("string").fillna("").str.strip().set_axis(index)

    raw = pd.DataFrame(
        {
            "street": column(street),
            "postcode": column(postcode),
            "city": column(city),
            "country": column(country),
        }
    )
    # the same address recurs on many rows: normalise each distinct one once
    codes = raw.groupby(list(raw.columns), sort=False).ngroup().to_numpy()
    distinct = raw.drop_duplicates().reset_index(drop=True)
    out = _normalize_distinct(distinct).iloc[codes]
    return out.set_axis(index)


def _normalize_distinct(raw: pd.DataFrame) -> pd.DataFrame:
    street_raw, city_raw, country_raw = raw["street"], raw["city"], raw["country"]
    index = raw.index
    country_norm = country_raw.str.upper().replace("", "NO")
    street_norm = normalize_street(street_raw)
    post = _postcode(raw["postcode"], country_norm)
    city_norm = _fold(city_raw).str.replace(".", "", regex=False).str.strip()
    place = post.mask(post == "", city_norm)
    normalized = street_norm.str.cat([place, country_norm], sep=", ")
    empty = street_norm == ""  # a postcode alone would join everyone living in it
    normalized = normalized.mask(empty)
    ids = content_ids("addr", [normalized]).mask(empty)

    def blank_to_null(values: pd.Series) -> pd.Series:
        return values.mask(values == "")

    return pd.DataFrame(
        {
            "street": blank_to_null(street_raw.str.replace(r"\s+", " ", regex=True)),
            "postcode": blank_to_null(post),
            "city": blank_to_null(city_raw.str.replace(r"\s+", " ", regex=True)),
            "country": country_norm,
            "normalized": normalized.astype("string"),
            "address_id": ids.astype("string"),
        },
        index=index,
    )


def normalize_address(street: str, postcode: str = "", city: str = "", country: str = "") -> tuple[str, str] | None:
    """``(normalized, address_id)`` for one address, or None when it is empty."""
    row = normalize_addresses(
        pd.Series([street], dtype="string"),
        pd.Series([postcode], dtype="string"),
        pd.Series([city], dtype="string"),
        pd.Series([country], dtype="string"),
    ).iloc[0]
    if pd.isna(row["normalized"]):
        return None
    return str(row["normalized"]), str(row["address_id"])


def split_one_line(address: pd.Series) -> pd.DataFrame:
    """Split one-line addresses ``"Storgata 5, 0155 Oslo"`` into street, postcode and city.

    Text without a ``, NNNN City`` tail stays whole in ``street``.
    """
    values = address.astype("string").fillna("").str.strip()
    codes, uniques = pd.factorize(values)
    text = pd.Series(uniques, dtype="string")
    parts = text.str.extract(r"^(?P<street>.*?)\s*,\s*(?P<postcode>\d{4})\s+(?P<city>[^,\d][^,]*)$")
    street = parts["street"].fillna(text)
    distinct = pd.DataFrame(
        {
            "street": street.astype("string"),
            "postcode": parts["postcode"].fillna("").astype("string"),
            "city": parts["city"].fillna("").str.strip().astype("string"),
        }
    )
    if not len(distinct):
        return distinct.set_axis(address.index)
    return distinct.iloc[codes].set_axis(address.index)
