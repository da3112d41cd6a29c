"""Brønnøysund Register Centre (Enhetsregisteret) JSON: companies and their roles.

Entity documents, as the open API returns them — one entity (``GET /enheter/{orgnr}``), a search
page (``_embedded.enheter`` or ``_embedded.underenheter``) or a plain JSON array (the bulk
download, optionally gzipped) — give ``parties`` (company, org number MOD11-checked),
``companies`` (org form, industry code ``naeringskode1.kode``, employees only when
``harRegistrertAntallAnsatte`` is true, founding date, bankrupt, in liquidation, and the deletion
date ``slettedato`` of a unit deleted from the register), addresses
(``forretningsadresse``/``beliggenhetsadresse`` → business, ``postadresse`` → postal) and phone and
e-mail identifiers.

Roles documents (``GET /enheter/{orgnr}/roller``: ``rollegrupper[].roller[]``) give
``company_roles`` and the role holders — persons (name parts and ``fodselsdato``, or the variant
``foedselsdato``) and entities (``enhet.organisasjonsnummer``). A single roles document does not
name its company, so the org number comes from the ``org_number`` import option or a 9-digit
number in the file name; a wrapper object ``{"<orgnr>": <roles document>, …}`` names each.

Each entity and each role is one record, located by its JSON path (``[3]``,
``_embedded.enheter[12]``, ``["923609016"].rollegrupper[0].roller[2]``); records that cannot be
imported become rejects with that path. Files larger than :data:`MAX_BYTES` (after gunzip) or
nested deeper than :data:`MAX_DEPTH` are refused before parsing.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

import numpy as np
import pandas as pd

from finflow.normalize import normalize_orgnr

from .base import ImportError_, ImportResult, Source, reject
from .csvutil import decode_head
from .parties import (
    Errors,
    address_frames,
    blank_to_null,
    identifiers_frame,
    normalize_phones,
    org_ids,
    parse_dates,
    parties_frame,
    party_keys,
    valid_orgnrs,
    with_provenance,
)

__all__ = [
    "DESCRIPTION",
    "FORMAT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "PRIORITY",
    "load_json",
    "read",
    "sniff",
]

FORMAT = "brreg"
DESCRIPTION = "Brønnøysund Enhetsregisteret JSON: entities (single, _embedded page, bulk array) or roles"
PRIORITY = 30

MAX_BYTES = 512 << 20  # after decompression; the whole register is larger: import it in parts
MAX_EMPLOYEES = 10_000_000  # more than any employer on earth; a larger count is a typo or an attack
MAX_DEPTH = 64  # the register's documents nest fewer than 10 levels
_GZIP = b"\x1f\x8b"
_CHUNK = 1 << 22


def sniff(head: bytes, name: str) -> bool:
    """JSON text whose first bytes mention an org number or role groups."""
    if head.startswith(_GZIP):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 1 << 16)
        except zlib.error:
            return False
    text = decode_head(head)
    if not text or text.lstrip()[:1] not in ("{", "["):
        return False
    return '"organisasjonsnummer"' in text or '"rollegrupper"' in text


def _read_bytes(path: str, source: Source) -> bytes:
    limit = int(source.options.get("max_bytes", MAX_BYTES))
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if data.startswith(_GZIP):
        inflater = zlib.decompressobj(wbits=31)
        try:
            data = inflater.decompress(data, limit + 1)
        except zlib.error as exc:
            raise ImportError_(f"{source.name}: not a valid gzip file ({exc})") from None
    if len(data) > limit:
        raise ImportError_(
            f"{source.name}: larger than {limit} bytes (after decompression); split it or raise the max_bytes option"
        )
    return data


def _max_depth(data: bytes) -> int:
    """Deepest nesting of ``{``/``[`` outside strings, scanned in chunks with numpy."""
    depth = max_depth = 0
    in_string = False
    backslashes = 0  # run of backslashes ending the previous chunk
    for start in range(0, len(data), _CHUNK):
        b = np.frombuffer(data, dtype=np.uint8, count=min(_CHUNK, len(data) - start), offset=start)
        idx = np.arange(len(b), dtype=np.int64)
        is_bs = b == 92
        last_other = np.maximum.accumulate(np.where(is_bs, -1, idx))
        # backslashes immediately before position i
        run_before = np.empty(len(b), dtype=np.int64)
        run_before[0] = backslashes
        prev_run = idx[:-1] - last_other[:-1]
        prev_run = np.where(last_other[:-1] < 0, idx[:-1] + 1 + backslashes, prev_run)
        run_before[1:] = prev_run
        quotes = (b == 34) & (run_before % 2 == 0)
        parity = (np.cumsum(quotes) + in_string) % 2  # 1 inside a string (incl. its opening quote)
        outside = (parity == 0) & ~quotes
        step = np.zeros(len(b), dtype=np.int64)
        step[outside & ((b == 123) | (b == 91))] = 1
        step[outside & ((b == 125) | (b == 93))] = -1
        levels = depth + np.cumsum(step)
        if len(levels):
            max_depth = max(max_depth, int(levels.max()))
            depth = int(levels[-1])
        in_string = bool(parity[-1]) if len(parity) else in_string
        tail = len(b) - 1 - int(last_other[-1]) if len(b) else 0
        backslashes = tail if last_other[-1] >= 0 else backslashes + len(b)
    return max_depth


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def load_json(path: str, source: Source) -> Any:
    """Parse the file with the size and depth limits applied; errors name the file."""
    data = _read_bytes(path, source)
    if not data.strip():
        raise ImportError_(f"{source.name}: the file is empty")
    depth = _max_depth(data)
    if depth > MAX_DEPTH:
        raise ImportError_(f"{source.name}: JSON nested {depth} levels deep; at most {MAX_DEPTH} are accepted")
    try:
        return json.loads(data.decode("utf-8-sig"), parse_constant=_no_constants)
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{source.name}: byte {exc.start} is not valid UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ImportError_(
            f"{source.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ImportError_(f"{source.name}: not acceptable JSON ({exc})") from None


def read(path: str, source: Source) -> ImportResult:
    doc = load_json(path, source)
    if isinstance(doc, list):
        return _entities([(f"[{i}]", e) for i, e in enumerate(doc)], source)
    if not isinstance(doc, dict):
        raise ImportError_(f"{source.name}: a JSON {type(doc).__name__} is neither an entity, a page nor roles")
    if "organisasjonsnummer" in doc:
        return _entities([("$", doc)], source)
    if "_embedded" in doc or "page" in doc:
        return _page(doc, source)
    if "rollegrupper" in doc:
        given = source.options.get("org_number")
        orgnr = given or _orgnr_from_name(source.name)
        if orgnr is None:
            raise ImportError_(
                f"{source.name}: a roles document does not name its company; "
                "put the org number in the "
                "file name (e.g. 923609016_roller.json) or pass --orgnr"
            )
        result = _roles([(orgnr, "", doc)], source)
        result.notes.append(
            f"roles of organisation {orgnr}, taken from {'--orgnr' if given else 'the file name'} "
            "(a roles response does not repeat its company's number)"
        )
        return result
    if any(isinstance(v, dict) and "rollegrupper" in v for v in doc.values()):
        return _roles(
            [(str(k), f"[{json.dumps(str(k), ensure_ascii=False)}]", v) for k, v in doc.items()],
            source,
        )
    raise ImportError_(
        f"{source.name}: not a Brønnøysund document (expected an entity with organisasjonsnummer, "
        "an _embedded.enheter page, an array of entities, or roles with rollegrupper)"
    )


def _orgnr_from_name(name: str) -> str | None:
    for match in re.finditer(r"(?<!\d)\d{9}(?!\d)", name):
        if normalize_orgnr(match.group()):
            return match.group()
    return None


def _page(doc: dict, source: Source) -> ImportResult:
    embedded = doc.get("_embedded")
    if embedded is None:
        result = _entities([], source)
        result.notes.append("the page has no _embedded entities (an empty search result)")
        return result
    if not isinstance(embedded, dict):
        raise ImportError_(f"{source.name}: _embedded is not an object")
    for key in ("enheter", "underenheter"):
        if isinstance(embedded.get(key), list):
            return _entities([(f"_embedded.{key}[{i}]", e) for i, e in enumerate(embedded[key])], source)
    raise ImportError_(f"{source.name}: _embedded has no enheter or underenheter array")


# --- entities ----------------------------------------------------------------------------------

_ENTITY_TEXT = ("orgnr", "name", "org_form", "industry", "founded", "phone", "mobile", "email")
_ADDRESS_KEYS = {
    "business": ("forretningsadresse", "beliggenhetsadresse"),
    "postal": ("postadresse",),
}


class _BadRecordError(Exception):
    """A record that cannot be imported; the message is the reason."""


def _text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _BadRecordError(f"{what} is not text")


def _code(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, dict):
        raise _BadRecordError(f"{what} is not an object")
    return _text(value.get("kode"), f"{what}.kode")


def _flag(entity: dict, key: str) -> bool | None:
    value = entity.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise _BadRecordError(f"{key} is not true or false")


def _address(value: Any, what: str) -> tuple[str, str, str, str]:
    if value is None:
        return "", "", "", ""
    if not isinstance(value, dict):
        raise _BadRecordError(f"{what} is not an object")
    lines = value.get("adresse")
    if lines is None:
        lines = []
    if isinstance(lines, str):
        lines = [lines]
    if not isinstance(lines, list) or not all(x is None or isinstance(x, str) for x in lines):
        raise _BadRecordError(f"{what}.adresse is not a list of text")
    street = ", ".join(x.strip() for x in lines if x and x.strip())  # null and empty lines are dropped
    return (
        street,
        _text(value.get("postnummer"), f"{what}.postnummer"),
        _text(value.get("poststed"), f"{what}.poststed"),
        _text(value.get("landkode"), f"{what}.landkode").upper(),
    )


def _entity_row(entity: Any) -> dict[str, Any]:
    if not isinstance(entity, dict):
        raise _BadRecordError("not a JSON object")
    row: dict[str, Any] = {
        "orgnr": _text(entity.get("organisasjonsnummer"), "organisasjonsnummer"),
        "name": _text(entity.get("navn"), "navn"),
        "org_form": _code(entity.get("organisasjonsform"), "organisasjonsform"),
        "industry": _code(entity.get("naeringskode1"), "naeringskode1"),
        "founded": _text(entity.get("stiftelsesdato"), "stiftelsesdato"),
        "phone": _text(entity.get("telefon"), "telefon"),
        "mobile": _text(entity.get("mobil"), "mobil"),
        "email": _text(entity.get("epostadresse"), "epostadresse"),
        "bankrupt": _flag(entity, "konkurs"),
        "deleted": _text(entity.get("slettedato"), "slettedato"),
    }
    liquidation = [
        _flag(entity, "underAvvikling"),
        _flag(entity, "underTvangsavviklingEllerTvangsopplosning"),
    ]
    row["in_liquidation"] = None if all(v is None for v in liquidation) else any(liquidation)
    registered = _flag(entity, "harRegistrertAntallAnsatte")
    row["registered"] = bool(registered)
    employees = entity.get("antallAnsatte")
    if registered and employees is None:  # a registered head-count below 5 is withheld: unknown
        row["employees"] = None
    elif registered:
        if not isinstance(employees, int) or isinstance(employees, bool) or employees < 0:
            raise _BadRecordError("antallAnsatte is not a whole number ≥ 0 although harRegistrertAntallAnsatte is true")
        if employees > MAX_EMPLOYEES:  # also keeps the Int64 column from overflowing
            raise _BadRecordError(f"antallAnsatte {employees} is more than {MAX_EMPLOYEES:,}, not a plausible count")
        row["employees"] = employees
    else:
        row["employees"] = None
    for kind, keys in _ADDRESS_KEYS.items():
        key = next((k for k in keys if entity.get(k) is not None), keys[0])
        street, postcode, city, country = _address(entity.get(key), key)
        row.update({f"{kind}_street": street, f"{kind}_postcode": postcode, f"{kind}_city": city,
                    f"{kind}_country": country})  # fmt: skip
    return row


def _entities(items: list[tuple[str, Any]], source: Source) -> ImportResult:
    rows: list[dict[str, Any]] = []
    bad_loc: list[str] = []
    bad_reason: list[str] = []
    bad_raw: list[str] = []
    for locator, entity in items:
        try:
            row = _entity_row(entity)
        except _BadRecordError as exc:
            bad_loc.append(locator)
            bad_reason.append(str(exc))
            bad_raw.append(_raw(entity))
            continue
        row["source_locator"] = locator
        row["raw"] = entity
        rows.append(row)
    columns = [
        *_ENTITY_TEXT,
        "deleted",
        "registered",
        "bankrupt",
        "in_liquidation",
        "employees",
        "source_locator",
        "raw",
    ] + [f"{k}_{p}" for k in _ADDRESS_KEYS for p in ("street", "postcode", "city", "country")]
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column not in ("bankrupt", "in_liquidation", "employees", "raw", "registered"):
            frame[column] = frame[column].astype("string").fillna("")
    loc = frame["source_locator"]
    errors = Errors(frame.index)
    errors.fail(frame["orgnr"] == "", "organisasjonsnummer is missing")
    nine = frame["orgnr"].str.fullmatch(r"\d{9}").fillna(False).astype(bool)
    orgnr = valid_orgnrs(frame["orgnr"]).where(nine)
    # a deleted unit's number may fail MOD11 (old registrations); it is still the number it had
    orgnr = orgnr.fillna(frame["orgnr"].where(nine & (frame["deleted"] != "")))
    errors.fail(orgnr.isna(), "organisasjonsnummer is not a valid organisation number (9 digits, MOD11)")
    founded, bad_founded = parse_dates(frame["founded"])
    errors.fail(bad_founded, "stiftelsesdato is not a valid YYYY-MM-DD date")
    deleted, bad_deleted = parse_dates(frame["deleted"])
    errors.fail(bad_deleted, "slettedato is not a valid YYYY-MM-DD date")
    for kind in _ADDRESS_KEYS:
        value = frame[f"{kind}_country"]
        errors.fail(
            (value != "") & ~value.str.fullmatch(r"[A-Z]{2}"),
            f"{kind} address landkode is not a country code",
        )

    good = ~errors.bad
    g, gloc = frame[good], loc[good]
    party_id = org_ids(orgnr[good])
    country = g["business_country"].mask(g["business_country"] == "", "NO")
    keys = pd.DataFrame(
        {
            "party_id": party_id,
            "kind": "company",
            "name": blank_to_null(g["name"]),
            "org_number": orgnr[good],
            "birth_date": pd.Series(pd.NaT, index=g.index, dtype="datetime64[s]"),
        }
    )
    parties = parties_frame(keys, country, source, gloc)
    companies = pd.DataFrame(
        {
            "party_id": party_id,
            "org_form": blank_to_null(g["org_form"]),
            "industry_code": blank_to_null(g["industry"]),
            "employees": g["employees"].astype("Int64"),
            "founded": founded[good],
            "bankrupt": g["bankrupt"].astype("boolean"),
            "in_liquidation": g["in_liquidation"].astype("boolean"),
            "deleted": deleted[good],
        }
    )
    companies = with_provenance(companies, source, gloc)
    addresses, links = [], []
    for kind in _ADDRESS_KEYS:
        found, linked, _ = address_frames(
            g[f"{kind}_street"], g[f"{kind}_postcode"], g[f"{kind}_city"], g[f"{kind}_country"],
            party_id, kind, source, gloc,
        )  # fmt: skip
        addresses.append(found)
        links.append(linked)
    email = blank_to_null(g["email"]).str.lower()
    identifiers = pd.concat(
        [
            identifiers_frame(party_id, "phone", normalize_phones(g["phone"]), source, gloc),
            identifiers_frame(party_id, "phone", normalize_phones(g["mobile"]), source, gloc),
            identifiers_frame(party_id, "email", email, source, gloc),
        ],
        ignore_index=True,
    )
    bad = errors.bad
    rejects = pd.concat(
        [
            reject(source, bad_loc, bad_reason, bad_raw),
            reject(
                source,
                loc[bad].tolist(),
                errors.reason[bad].tolist(),
                [_raw(e) for e in frame["raw"][bad]],
            ),
        ],
        ignore_index=True,
    )
    rejects = _in_order(rejects, [locator for locator, _ in items])
    tables = {
        "parties": parties,
        "companies": companies,
        "addresses": pd.concat(addresses, ignore_index=True),
        "party_addresses": pd.concat(links, ignore_index=True),
        "identifiers": identifiers,
    }
    notes = []
    gone = deleted[good].notna()
    if gone.any():
        listed = [
            f"{number} deleted {day:%Y-%m-%d}"
            for number, day in zip(orgnr[good][gone], deleted[good][gone], strict=True)
        ]
        shown = ", ".join(listed[:10]) + (" …" if len(listed) > 10 else "")
        notes.append(f"{len(listed)} deleted unit(s) (slettedato) imported as companies that no longer exist: {shown}")
    withheld = (g["employees"].isna() & g["registered"]).sum()
    if withheld:
        notes.append(f"{int(withheld)} unit(s) with a withheld head-count (fewer than 5 employees): employees unknown")
    return ImportResult(FORMAT, len(items), tables, rejects, notes)


def _in_order(rejects: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Rejects in the order their records appear in the file."""
    position = {locator: i for i, locator in enumerate(order)}
    keys = rejects["source_locator"].map(position).fillna(len(order)).to_numpy()
    return rejects.iloc[keys.argsort(kind="stable")].reset_index(drop=True)


def _raw(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)[:2000]
    except (TypeError, ValueError):
        return repr(value)[:2000]


# --- roles -------------------------------------------------------------------------------------


def _person_name(navn: Any) -> str:
    if isinstance(navn, str):
        return " ".join(navn.split())
    if not isinstance(navn, dict):
        raise _BadRecordError("person.navn is neither text nor an object")
    parts = [_text(navn.get(k), f"person.navn.{k}") for k in ("fornavn", "mellomnavn", "etternavn")]
    return " ".join(" ".join(p for p in parts if p).split())


def _entity_name(navn: Any) -> str:
    if isinstance(navn, list):
        return " ".join(x.strip() for x in navn if isinstance(x, str) and x.strip())
    return _text(navn, "enhet.navn")


def _role_row(role: Any) -> dict[str, Any]:
    if not isinstance(role, dict):
        raise _BadRecordError("not a JSON object")
    kind = role.get("type")
    code = _code(kind, "type") if kind is not None else ""
    if not code:
        raise _BadRecordError("the role has no type.kode")
    resigned = _flag(role, "fratraadt")
    row: dict[str, Any] = dict.fromkeys(("person_name", "birth", "holder_orgnr", "holder_name"), "")
    row.update(role=code.upper(), resigned=bool(resigned))
    person, entity = role.get("person"), role.get("enhet", role.get("organisasjon"))
    if isinstance(person, dict):
        row["person_name"] = _person_name(person.get("navn"))
        birth = person.get("fodselsdato", person.get("foedselsdato"))
        row["birth"] = _text(birth, "person.fodselsdato")
        if not row["person_name"]:
            raise _BadRecordError("the person holding the role has no name")
    elif isinstance(entity, dict):
        row["holder_orgnr"] = _text(entity.get("organisasjonsnummer"), "enhet.organisasjonsnummer")
        row["holder_name"] = _entity_name(entity.get("navn"))
        if not row["holder_orgnr"]:
            raise _BadRecordError("the entity holding the role has no organisasjonsnummer")
    else:
        raise _BadRecordError("the role names neither a person nor an entity (enhet)")
    return row


def _roles(docs: list[tuple[str, str, Any]], source: Source) -> ImportResult:
    rows: list[dict[str, Any]] = []
    bad_loc: list[str] = []
    bad_reason: list[str] = []
    bad_raw: list[str] = []

    order: list[str] = []  # every record's locator, in reading order

    def fail(locator: str, reason: str, value: Any) -> None:
        order.append(locator or "$")
        bad_loc.append(locator or "$")
        bad_reason.append(reason)
        bad_raw.append(_raw(value))

    for orgnr, prefix, doc in docs:
        if not isinstance(doc, dict):
            fail(prefix, "not a roles document (an object with rollegrupper)", doc)
            continue
        groups = doc.get("rollegrupper")
        base = f"{prefix}.rollegrupper" if prefix else "rollegrupper"
        if not isinstance(groups, list):
            fail(base, "rollegrupper is not an array", groups)
            continue
        for gi, group in enumerate(groups):
            roles = group.get("roller") if isinstance(group, dict) else None
            if not isinstance(roles, list):
                fail(f"{base}[{gi}]", "the role group has no roller array", group)
                continue
            for ri, role in enumerate(roles):
                locator = f"{base}[{gi}].roller[{ri}]"
                try:
                    row = _role_row(role)
                except _BadRecordError as exc:
                    fail(locator, str(exc), role)
                    continue
                order.append(locator)
                rows.append({**row, "company_orgnr": orgnr, "source_locator": locator, "raw": role})
    columns = ["role", "resigned", "person_name", "birth", "holder_orgnr", "holder_name"]
    columns += ["company_orgnr", "source_locator", "raw"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column not in ("resigned", "raw"):
            frame[column] = frame[column].astype("string").fillna("")
    loc = frame["source_locator"]
    errors = Errors(frame.index)
    company_orgnr = valid_orgnrs(frame["company_orgnr"])
    errors.fail_each(
        company_orgnr.isna(),
        "the company's org number " + frame["company_orgnr"] + " is not valid (MOD11)",
    )
    is_entity = frame["holder_orgnr"] != ""
    name = frame["person_name"].where(~is_entity, frame["holder_name"])
    holders = party_keys(
        name,
        frame["holder_orgnr"],
        frame["birth"].where(~is_entity, ""),
        source,
        loc,
        "holder",
        errors,
    )
    errors.reason = errors.reason.str.replace("holder_birth_date", "person.fodselsdato", regex=False).str.replace(
        "holder_org_number", "enhet.organisasjonsnummer", regex=False
    )
    holders["kind"] = holders["kind"].mask(is_entity, "company").mask(~is_entity, "person")

    good = ~errors.bad
    g, gloc = frame[good], loc[good]
    company_id = org_ids(company_orgnr[good])
    company_roles = pd.DataFrame(
        {
            "company_party_id": company_id,
            "holder_party_id": holders["party_id"][good],
            "role": g["role"],
            "resigned": g["resigned"].astype(bool),
        }
    )
    company_roles = with_provenance(company_roles, source, gloc)
    # The company itself is not added as a party: a roles document has no name for it, and a
    # nameless row must not stand in for the entity document's (the store keeps first rows).
    parties = parties_frame(holders[good], None, source, gloc)
    bad = errors.bad
    rejects = pd.concat(
        [
            reject(source, bad_loc, bad_reason, bad_raw),
            reject(
                source,
                loc[bad].tolist(),
                errors.reason[bad].tolist(),
                [_raw(e) for e in frame["raw"][bad]],
            ),
        ],
        ignore_index=True,
    )
    rejects = _in_order(rejects, order)
    notes = []
    weak = int((good & ~is_entity & holders["birth_date"].isna()).sum())
    if weak:
        notes.append(f"{weak} role holder(s) without a birth date kept apart (not joined to namesakes)")
    return ImportResult(
        FORMAT,
        len(rows) + len(bad_loc),
        {"company_roles": company_roles, "parties": parties},
        rejects,
        notes,
    )
