"""Shared pieces of the people and registry adapters: party keys, addresses, identifiers, checks.

Party ids come from strong keys only (:mod:`finflow.ids`): a valid organisation number makes a
company (``org_party_id``); a name with a birth date makes a person (``person_party_id``, keyed
with the case key so the id does not give the birth date away). A party
named without either gets a *record* id — unique to the file, row and role it came from — so two
people who merely share a name never become one; :mod:`finflow.resolve` may later merge such a
party on a strong key found elsewhere, recorded and reversibly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finflow.addresses import normalize_addresses
from finflow.ids import content_ids, keyed_ids
from finflow.normalize import guess_party_kind, normalize_name, normalize_orgnr

from .base import ImportError_, Source, reject
from .csvutil import CsvRecords, decode_head, read_records

__all__ = [
    "Errors",
    "address_frames",
    "blank_to_null",
    "check_header",
    "identifiers_frame",
    "normalize_id_numbers",
    "normalize_phones",
    "org_ids",
    "parse_dates",
    "parties_frame",
    "party_keys",
    "person_ids",
    "raw_text",
    "sniff_header",
    "valid_orgnrs",
    "with_provenance",
]


class Errors:
    """The first problem found in each row, collected over vectorised checks."""

    def __init__(self, index: pd.Index) -> None:
        self.reason = pd.Series(pd.NA, index=index, dtype="string")

    def fail(self, mask: pd.Series | np.ndarray, reason: str) -> None:
        """Record ``reason`` for rows in ``mask`` that have no problem yet."""
        flags = pd.Series(mask, index=self.reason.index).fillna(False).astype(bool)
        self.reason = self.reason.mask(self.reason.isna() & flags, reason)

    def fail_each(self, mask: pd.Series, reasons: pd.Series) -> None:
        """Like :meth:`fail`, with a reason per row."""
        flags = mask.fillna(False).astype(bool) & self.reason.isna()
        self.reason = self.reason.mask(flags, reasons.astype("string"))

    @property
    def bad(self) -> pd.Series:
        return self.reason.notna()


def blank_to_null(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def sniff_header(head: bytes, required: tuple[str, ...]) -> bool:
    """A comma-separated first line naming all ``required`` columns."""
    text = decode_head(head)
    if not text:
        return False
    first = text.splitlines()[0] if text.splitlines() else ""
    header = {c.strip().strip('"').lower() for c in first.split(",")}
    return set(required) <= header


def read_checked(path: str, source: Source, columns: tuple[str, ...]) -> tuple[CsvRecords, pd.DataFrame]:
    """Read a finflow-defined CSV: its records, and their frame with the header checked."""
    with open(path, "rb") as fh:
        records = read_records(fh.read(), source)
    return records, check_header(records.frame, source, columns)


def check_header(frame: pd.DataFrame, source: Source, columns: tuple[str, ...]) -> pd.DataFrame:
    """Lower-case the header, refuse missing or unknown columns, strip every value."""
    frame.columns = [c.lower() if c != "source_locator" else c for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    unknown = [c for c in frame.columns if c not in columns and c != "source_locator"]
    if missing or unknown:
        problem = (
            f"lacks column(s) {', '.join(missing)}" if missing else f"has unknown column(s) {', '.join(unknown[:10])}"
        )
        raise ImportError_(f"{source.name}: row 1 (header) {problem}; expected columns: {', '.join(columns)}")
    for column in columns:
        frame[column] = frame[column].astype("string").fillna("").str.strip()
    return frame


def parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Strict ``YYYY-MM-DD`` dates: ``(datetime64[s] with NaT, invalid-but-not-blank mask)``."""
    text = text.astype("string").fillna("").str.strip()
    well_formed = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    dates = pd.to_datetime(text.where(well_formed), format="%Y-%m-%d", errors="coerce")
    dates = dates.astype("datetime64[s]")
    invalid = (text != "") & dates.isna()
    return dates, invalid.astype(bool)


def valid_orgnrs(text: pd.Series) -> pd.Series:
    """9-digit MOD11-valid organisation numbers, null where blank or invalid."""
    values = text.astype("string").fillna("").str.strip()
    uniques = values.unique()
    table = {v: (normalize_orgnr(v) if v else None) for v in uniques}
    return values.map(table).astype("string")


def _normalized_names(names: pd.Series) -> pd.Series:
    values = names.astype("string").fillna("")
    table = {v: normalize_name(v) for v in values.unique()}
    return values.map(table).astype("string")


def person_ids(names: pd.Series, birth_dates: pd.Series, key: bytes | None) -> pd.Series:
    """``person_party_id(normalize_name(name), YYYY-MM-DD, key)`` for every row, vectorised."""
    birth = pd.Series(birth_dates).dt.strftime("%Y-%m-%d").astype("string").fillna("")
    keys = pd.DataFrame({"name": names.astype("string").fillna(""), "birth": birth.set_axis(names.index)})
    codes = keys.groupby(["name", "birth"], sort=False).ngroup().to_numpy()
    distinct = keys.drop_duplicates().reset_index(drop=True)
    kind = pd.Series("person", index=distinct.index, dtype="string")
    ids = keyed_ids("party", [kind, _normalized_names(distinct["name"]), distinct["birth"]], key)
    return pd.Series(ids.to_numpy()[codes], index=names.index, dtype="string")


def org_ids(orgnrs: pd.Series) -> pd.Series:
    """``org_party_id(orgnr)`` for every row, vectorised."""
    kind = pd.Series("org", index=orgnrs.index, dtype="string")
    return content_ids("party", [kind, orgnrs.astype("string").fillna("")])


def party_keys(
    name: pd.Series,
    orgnr_text: pd.Series,
    birth_text: pd.Series,
    source: Source,
    locators: pd.Series,
    role: str,
    errors: Errors,
    prefix: str | None = None,
) -> pd.DataFrame:
    """Party id, kind, org number and birth date of the party named in each row.

    A non-blank org number that fails MOD11 and a birth date that is not a date are errors
    (recorded in ``errors``, naming the columns ``<prefix>org_number``/``<prefix>birth_date``,
    prefix ``<role>_`` by default); rows naming no party get a null id.
    """
    prefix = f"{role}_" if prefix is None else prefix
    name = blank_to_null(name)
    orgnr_text = orgnr_text.astype("string").fillna("").str.strip()
    orgnr = valid_orgnrs(orgnr_text)
    errors.fail(
        (orgnr_text != "") & orgnr.isna(),
        f"{prefix}org_number is not a valid organisation number (MOD11)",
    )
    birth, bad_birth = parse_dates(birth_text)
    errors.fail(bad_birth, f"{prefix}birth_date is not a valid YYYY-MM-DD date")
    company = orgnr.notna()
    person = ~company & name.notna() & birth.notna()
    weak = ~company & ~person & name.notna()
    party_id = pd.Series(pd.NA, index=name.index, dtype="string")
    party_id[company] = org_ids(orgnr[company])
    party_id[person] = person_ids(name[person], birth[person], source.key)
    w = weak[weak].index
    record_key = [
        pd.Series("record", index=w, dtype="string"),
        pd.Series(source.sha256, index=w, dtype="string"),
        locators.astype("string").set_axis(name.index)[w],
        pd.Series(role, index=w, dtype="string"),
    ]
    party_id[weak] = content_ids("party", record_key)
    guesses = {v: guess_party_kind(v) for v in name.dropna().unique()}
    guessed = name.map(guesses).astype("string")
    kind = guessed.mask(company, "company").mask(person, "person").fillna("unknown")
    return pd.DataFrame(
        {
            "party_id": party_id,
            "kind": kind.where(party_id.notna()),
            "name": name,
            "org_number": orgnr.where(company),
            "birth_date": birth.where(person),
        }
    )


def with_provenance(frame: pd.DataFrame, source: Source, locators: pd.Series) -> pd.DataFrame:
    """``frame`` plus the provenance columns of the rows at ``locators``."""
    frame = frame.copy()
    for column, value in source.provenance(locators.astype("string").to_numpy()).items():
        frame[column] = value
    return frame.reset_index(drop=True)


def parties_frame(keys: pd.DataFrame, country: pd.Series | None, source: Source, locators: pd.Series) -> pd.DataFrame:
    """Parties rows for the rows of ``keys`` (from :func:`party_keys`) that name a party."""
    present = keys["party_id"].notna()
    countries = (
        pd.Series(pd.NA, index=keys.index, dtype="string") if country is None else blank_to_null(country).str.upper()
    )
    frame = pd.DataFrame(
        {
            "party_id": keys["party_id"],
            "kind": keys["kind"].astype("string"),
            "name": keys["name"].astype("string"),
            "birth_date": pd.Series(keys["birth_date"]).astype("datetime64[s]"),
            "org_number": keys["org_number"].astype("string"),
            "country": countries,
        }
    )[present]
    return with_provenance(frame, source, locators[present])


def address_frames(
    street: pd.Series,
    postcode: pd.Series | None,
    city: pd.Series | None,
    country: pd.Series | None,
    party_id: pd.Series | None,
    kind: str,
    source: Source,
    locators: pd.Series,
    valid_from: pd.Series | None = None,
    valid_to: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """``addresses`` and ``party_addresses`` rows, and each row's address id (null if none)."""
    norm = normalize_addresses(street, postcode, city, country)
    has = norm["address_id"].notna()
    addresses = with_provenance(norm[has], source, locators[has])
    if party_id is None:
        links = pd.DataFrame(columns=["party_id", "address_id", "kind", "valid_from", "valid_to"])
        links = with_provenance(links, source, locators.iloc[:0])
    else:
        nat = pd.Series(pd.NaT, index=street.index, dtype="datetime64[s]")
        linked = has & party_id.notna()
        links = pd.DataFrame(
            {
                "party_id": party_id.astype("string"),
                "address_id": norm["address_id"],
                "kind": pd.Series(kind, index=street.index, dtype="string"),
                "valid_from": (nat if valid_from is None else valid_from).astype("datetime64[s]"),
                "valid_to": (nat if valid_to is None else valid_to).astype("datetime64[s]"),
            }
        )[linked]
        links = with_provenance(links, source, locators[linked])
    return addresses, links, norm["address_id"]


def normalize_phones(phones: pd.Series, default_prefix: str = "+47") -> pd.Series:
    """Phone numbers as ``+<digits>`` so sources meet; 8-digit numbers are Norwegian.

    ``00`` becomes ``+``; separators and ``(0)`` go. Text with fewer than 5 digits is null.
    """
    text = phones.astype("string").fillna("").str.strip().str.replace("(0)", "", regex=False)
    plus = text.str.startswith("+") | text.str.startswith("00")
    digits = text.str.replace(r"\D", "", regex=True)
    digits = digits.mask(text.str.startswith("00"), digits.str.slice(2))
    national = ~plus & digits.str.len().eq(8)
    out = ("+" + digits).mask(national, default_prefix + digits)
    return out.mask(digits.str.len() < 5).astype("string")


def normalize_id_numbers(values: pd.Series) -> pd.Series:
    """Identity document numbers upper-cased without spaces, dots or dashes; null if blank."""
    text = values.astype("string").fillna("").str.upper().str.replace(r"[\s.\-]", "", regex=True)
    return text.mask(text == "").astype("string")


def identifiers_frame(
    party_id: pd.Series, kind: str, values: pd.Series, source: Source, locators: pd.Series
) -> pd.DataFrame:
    """``identifiers`` rows where both the party and the value are known.

    Each gets ``identifier_id`` (:func:`finflow.ids.identifier_id`, keyed with the case key): what
    findings and views name an identifier by, so a phone or id number never shows in an id.
    """
    present = party_id.notna() & values.notna()
    kinds = pd.Series(kind, index=party_id.index, dtype="string")
    frame = pd.DataFrame(
        {
            "party_id": party_id.astype("string"),
            "kind": kinds,
            "value": values.astype("string"),
        }
    )[present]
    frame.insert(0, "identifier_id", keyed_ids("ident", [frame["kind"], frame["value"]], source.key))
    return with_provenance(frame, source, locators[present])


def raw_text(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """The rejected rows as comma-joined text (at most 2,000 characters each)."""
    if frame.empty:
        return []
    joined = frame[list(columns)].astype("string").fillna("").agg(",".join, axis=1)
    return joined.str.slice(0, 2000).tolist()


def rejects_by_row(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejects in file order (``row 10`` after ``row 9``), malformed and invalid rows together."""
    rows = rejects["source_locator"].astype("string").str.extract(r"(\d+)$")[0].astype("Int64")
    return rejects.iloc[rows.fillna(0).to_numpy().argsort(kind="stable")].reset_index(drop=True)


def row_rejects(
    malformed: pd.DataFrame,
    source: Source,
    locators: pd.Series,
    errors: Errors,
    frame: pd.DataFrame,
    columns: tuple[str, ...],
) -> pd.DataFrame:
    """Malformed records plus the rows ``errors`` marked bad (with reasons), in file order."""
    bad = errors.bad
    invalid = reject(source, locators[bad].tolist(), errors.reason[bad].tolist(), raw_text(frame[bad], columns))
    return rejects_by_row(pd.concat([malformed, invalid], ignore_index=True))
