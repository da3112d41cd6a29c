"""Norwegian bank layouts from the wild: SDC Bokmål (``;`` and ``,``), newer and 2014 DNB, DNB
Mastercard, Sparebanken Sør, header-less savings-bank files, Bank Norwegian and Nordea's
``Tittel``/``Betalingstype`` — each with its quirks, exact counts and amounts."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from finflow.importers import bank_csv, registry
from finflow.importers.base import ImportResult, Source
from tests.writers import bank_exports as w

OWN = "39825979194"
EMPLOYER, LANDLORD, FRIEND = "07483378879", "62328601295", "04047966693"


def dotted(account: str, sep: str = ".") -> str:
    return f"{account[:4]}{sep}{account[4:6]}{sep}{account[6:]}"


def load(path: Path, **options: str) -> ImportResult:
    name = os.path.basename(path)
    module = registry.detect(str(path), name)
    assert module.FORMAT == bank_csv.FORMAT
    result = module.read(str(path), Source(str(path), name, "0" * 64, "b", dict(options)))
    assert result.rows_read == len(result.tables["transactions"]) + len(result.rejects)
    return result


def rows(result: ImportResult) -> pd.DataFrame:
    return result.tables["transactions"].set_index("source_locator")


def reasons(result: ImportResult) -> dict[str, str]:
    return dict(zip(result.rejects["source_locator"], result.rejects["reason"], strict=True))


SDC_ROWS = [
    {"Utført dato": "02.01.2026", "Bokført dato": "02.01.2026", "Rentedato": "02.01.2026", "Beskrivelse": "Lønn",
     "Type": "Lønn", "Fra konto": dotted(EMPLOYER, " "), "Avsender": "Byggmester Vest AS",
     "Til konto": dotted(OWN, " "), "Beløp inn": "25000.00", "Valuta": "NOK", "Status": "Bokført"},
    {"Utført dato": "03.01.2026", "Bokført dato": "03.01.2026", "Beskrivelse": "Nettgiro", "Type": "Nettgiro",
     "Fra konto": dotted(OWN, " "), "Til konto": dotted(LANDLORD, " "), "Mottakernavn": "Ola Nordmann",
     "Beløp ut": "-112.000", "Valuta": "NOK", "Status": "Bokført", "Melding/KID/Fakt.nr": "Husleie\njanuar"},
    {"Utført dato": "05.01.2026", "Bokført dato": "", "Beskrivelse": "Varekjøp KIWI", "Type": "Varekjøp",
     "Fra konto": dotted(OWN, " "), "Beløp ut": "-249.90", "Valuta": "NOK", "Status": "Reservert"},
    {"Utført dato": "06.01.2026", "Bokført dato": "06.01.2026", "Beskrivelse": "Vipps Kari Olsen", "Type": "Vipps",
     "Til konto": dotted(OWN, " "), "Beløp inn": "500.00", "Valuta": "NOK", "Status": "Bokført"},
]  # fmt: skip


@pytest.mark.parametrize("comma", [False, True])
def test_sdc_bokmal_layout_with_status_multiline_message_and_saldo_lines(tmp_path: Path, comma: bool) -> None:
    delimiter = "," if comma else ";"
    path = w.write_sdc(
        tmp_path / "transaksjoner.csv", SDC_ROWS, comma=comma,
        saldo=("Disponibel saldo 24638.10", f"Saldo{delimiter}24638.10"),
    )  # fmt: skip
    result = load(path)
    t = rows(result)
    assert result.rows_read == 6 and len(t) == 3
    assert t.index.tolist() == ["row 2", "row 3", "row 5"]
    assert t["amount_minor"].tolist() == [2_500_000, 11_200, 50_000]  # "-112.000" is 112 kroner
    assert t.loc["row 2", ["from_account", "to_account", "from_name", "channel"]].tolist() == [
        EMPLOYER, OWN, "Byggmester Vest AS", "salary",
    ]  # fmt: skip
    payment = t.loc["row 3"]
    assert (payment["from_account"], payment["to_account"], payment["to_name"]) == (OWN, LANDLORD, "Ola Nordmann")
    assert "Husleie\njanuar" in payment["description"]  # the quoted two-line message stays one row
    vipps = t.loc["row 5"]  # row numbers are records: the message's second line is not a row
    assert (vipps["from_name"], vipps["channel"], pd.isna(vipps["from_account"])) == ("Kari Olsen", "p2p", True)
    assert reasons(result) == {
        "row 4": bank_csv.PENDING_REASON, "row 6": bank_csv.FOOTER_REASON, "row 7": bank_csv.FOOTER_REASON,
    }  # fmt: skip
    assert any(f"own account {OWN} from the export's account columns" in n for n in result.notes)


def test_newer_dnb_export_takes_names_and_accounts_from_the_text(tmp_path: Path) -> None:
    path = w.write_dnb_motkonto(
        tmp_path / f"dnb_{OWN}.csv",
        [
            ("02.01.2026", "Vipps Kari Olsen", "500,00", ""),
            ("03.01.2026", "Overføring til 1234.56.78903 Ola Nordmann husleie", "-8 500,00", ""),
            ("04.01.2026", "Overføring fra Anna Berg", "1 200,00", dotted(FRIEND)),
            ("05.01.2026", "Vipps*Kiwi 505 Storo", "-89,90", ""),
            ("06.01.2026", "Reservert transaksjon Varekjøp KIWI", "-99,00", ""),
        ],
    )
    result = load(path)
    t = rows(result)
    assert t["amount_minor"].tolist() == [50_000, 850_000, 120_000, 8_990]
    rent = t.loc["row 3"]
    assert (rent["from_account"], rent["to_account"], rent["to_name"]) == (OWN, "12345678903", "Ola Nordmann")
    assert rent["description"] == "Overføring til 1234.56.78903 Ola Nordmann husleie"  # the text is kept
    assert t.loc["row 2", "from_name"] == "Kari Olsen" and pd.isna(t.loc["row 2", "from_account"])
    assert (t.loc["row 4", "from_account"], t.loc["row 4", "from_name"]) == (FRIEND, "Anna Berg")
    assert t.loc["row 5", "to_name"] == "Kiwi 505 Storo"
    assert t["channel"].tolist() == ["p2p", "transfer", "transfer", "p2p"]
    assert reasons(result) == {"row 6": bank_csv.PENDING_REASON}


def test_dnb_2014_uttak_innskudd_cp1252_with_reserved_text(tmp_path: Path) -> None:
    path = w.write_dnb_2014(
        tmp_path / f"dnb_{OWN}.csv",
        [
            ("02.01.2026", "Varekjøp REMA 1000 Dato 01.01 kl. 18.22", "149,90", ""),
            ("03.01.2026", f"Overføring fra {dotted(EMPLOYER)} Byggmester Vest AS", "", "12 000,00"),
            ("04.01.2026", "Reservert transaksjon Minibank Ørsta", "500,00", ""),
        ],
    )
    result = load(path)
    t = rows(result)
    assert t["amount_minor"].tolist() == [14_990, 1_200_000]
    assert t.loc["row 2", "booking_time"] == "18:22" and t.loc["row 2", "channel"] == "card"
    assert (t.loc["row 3", "from_account"], t.loc["row 3", "from_name"]) == (EMPLOYER, "Byggmester Vest AS")
    assert reasons(result) == {"row 4": bank_csv.PENDING_REASON}
    assert "cp1252" in result.notes[0]


def test_dnb_mastercard_is_a_card_account(tmp_path: Path) -> None:
    path = w.write_dnb_mastercard(
        tmp_path / "mastercard.csv",
        [
            ("02.01.2026", "KIWI 505 OSLO NO", "", "249,90"),
            ("10.01.2026", "Innbetaling", "5 000,00", ""),
            ("12.01.2026", "AMAZON MKTPLACE LUXEMBOURG LU", "", "1 299,00"),
        ],
    )
    result = load(path, account="5213 4567 8901 2345")
    t = rows(result)
    assert t["amount_minor"].tolist() == [24_990, 500_000, 129_900]
    assert t["channel"].tolist() == ["card", "transfer", "card"]
    assert t["from_account"].notna().tolist() == [True, False, True]
    assert t.loc["row 4", "description"] == "AMAZON MKTPLACE LUXEMBOURG LU"


def test_sparebanken_sor_tab_delimited_cp1252(tmp_path: Path) -> None:
    path = w.write_sparebanken_sor(
        tmp_path / f"sor_{OWN}.txt",
        [
            ("02.01.2026", "Varekjøp Coop Mega Kristiansand", "312,40", ""),
            ("03.01.2026", "Lønn Sørlandet Sykehus HF", "", "31 250,00"),
            ("04.01.2026", f"Overføring til {dotted(LANDLORD)} Ola Nordmann", "2 000,00", ""),
        ],
    )
    result = load(path)
    t = rows(result)
    assert t["amount_minor"].tolist() == [31_240, 3_125_000, 200_000]
    assert t["channel"].tolist() == ["card", "salary", "transfer"]
    assert (t.loc["row 4", "to_account"], t.loc["row 4", "to_name"]) == (LANDLORD, "Ola Nordmann")
    assert "Sørlandet" in t.loc["row 3", "description"]


def test_headerless_savings_bank_file_numbers_its_first_line_row_1(tmp_path: Path) -> None:
    path = w.write_headerless_savings(
        tmp_path / f"jaeren_{OWN}.csv",
        [
            ("02-01-2026", "02-01-2026", "Varekjøp Joker Bryne", "-89,50", "10 210,50"),
            ("03-01-2026", "03-01-2026", "Lønn Jæren Sparebank", "25 000,00", "35 210,50"),
            ("04-01-2026", "04-01-2026", f"Overføring til {dotted(FRIEND)} Åse Ærø", "-1 000,00", "34 210,50"),
            ("31-02-2026", "31-02-2026", "Gebyr", "-10,00", "34 200,50"),
        ],
    )
    result = load(path)
    t = rows(result)
    assert t.index.tolist() == ["row 1", "row 2", "row 3"]
    assert t["amount_minor"].tolist() == [8_950, 2_500_000, 100_000]
    assert str(t.loc["row 1", "booking_date"]) == "2026-01-02"
    assert (t.loc["row 3", "to_account"], t.loc["row 3", "to_name"]) == (FRIEND, "Åse Ærø")
    assert list(reasons(result)) == ["row 4"] and "not a date" in reasons(result)["row 4"]


def test_bank_norwegian_us_dates_and_dot_decimals(tmp_path: Path) -> None:
    path = w.write_bank_norwegian(
        tmp_path / "banknorwegian.csv",
        [
            {"TransactionDate": "1/5/2026", "Text": "NETFLIX.COM", "Type": "Kjøp", "Currency Amount": "-14.99",
             "Currency Rate": "10.6", "Currency": "EUR", "Amount": "-158.89", "Merchant Area": "Amsterdam",
             "Merchant Category": "Digital", "BookDate": "1/6/2026", "ValueDate": "1/6/2026"},
            {"TransactionDate": "12/28/2025", "Text": "Innbetaling", "Type": "Innbetaling", "Currency": "NOK",
             "Amount": "2,500.00", "BookDate": "12/29/2025", "ValueDate": "12/29/2025"},
            {"TransactionDate": "1/7/2026", "Text": "REMA 1000 MAJORSTUEN", "Type": "Kjøp", "Currency": "NOK",
             "Amount": "-64.9", "Merchant Area": "Oslo", "BookDate": "", "ValueDate": ""},
        ],
    )  # fmt: skip
    result = load(path, account="Bank Norwegian card 4321")
    t = rows(result)
    assert t["amount_minor"].tolist() == [15_889, 250_000, 6_490]
    assert [str(d) for d in t["booking_date"]] == ["2026-01-06", "2025-12-29", "2026-01-07"]  # no BookDate yet
    assert t["channel"].tolist() == ["card", "transfer", "card"]
    assert set(t["currency"]) == {"NOK"}  # "Amount" is in kroner; "Currency" is the purchase's


def test_nordea_name_in_tittel_and_betalingstype_channels(tmp_path: Path) -> None:
    path = w.write_nordea(
        tmp_path / "nordea.csv",
        [
            ("2026/01/02", "-450,00", dotted(OWN), dotted(LANDLORD), "", "Kari Olsen", "Overførsel"),
            ("2026/01/03", "300,00", dotted(FRIEND), dotted(OWN), "", "Vipps Anna Berg", "Straksutbetaling"),
            ("02.01.2026", "-89,00", dotted(OWN), "", "", "Varekjøp KIWI", "Varekjøp"),
            ("2026/01/04", "-120,00", dotted(OWN), dotted(FRIEND), "Per Hansen", "Middag", "Tilfeldig utgift/inntekt"),
            ("Reservert", "-10,00", dotted(OWN), "", "", "KIWI", "Varekjøp"),
        ],
    )
    result = load(path)
    t = rows(result)
    assert t["amount_minor"].tolist() == [45_000, 30_000, 8_900, 12_000]
    assert t["channel"].tolist() == ["transfer", "transfer", "card", "transfer"]
    assert t.loc["row 2", "to_name"] == "Kari Olsen"  # Navn empty: the name is the title
    assert t.loc["row 3", "from_name"] == "Anna Berg"
    assert pd.isna(t.loc["row 4", "to_name"])  # a purchase text is not a name
    assert t.loc["row 5", "to_name"] == "Per Hansen"
    assert reasons(result) == {"row 6": bank_csv.PENDING_REASON}
