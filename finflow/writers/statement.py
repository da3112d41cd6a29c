"""One account's view of canonical transactions: what its own bank statement shows."""

from __future__ import annotations

import pandas as pd

from finflow.money import minor_units

__all__ = ["CHANNEL_WORDS", "account_view", "decimal_text", "format_bban"]

#: The word a statement text starts with for each channel; the importers read the channel
#: back from it (see ``importers/bank_profiles.CHANNEL_KEYWORDS``).
CHANNEL_WORDS: dict[str, str] = {
    "card": "Varekjøp",
    "p2p": "Vipps",
    "transfer": "Overføring",
    "cash_deposit": "Kontantinnskudd",
    "cash_withdrawal": "Minibank",
    "salary": "Lønn",
    "fee": "Gebyr",
    "remittance": "Utlandsbetaling",
    "other": "Diverse",
}


def account_view(txns: pd.DataFrame, account: str) -> pd.DataFrame:
    """Rows of ``txns`` that touch ``account``, seen from it, in booking order.

    Columns: ``date`` (datetime64), ``time``, ``signed`` (minor units, credit positive),
    ``currency``, ``cp_account``, ``cp_name``, ``cp_country``, ``own_name``, ``channel``,
    ``description``, ``txn_ref``, ``credit`` (bool). Self-transfers are left out: a statement
    cannot show one payment as both a debit and a credit line with one id.
    """
    t = txns.reset_index(drop=True)
    out_mask = (t["from_account"] == account).fillna(False).astype(bool)
    in_mask = (t["to_account"] == account).fillna(False).astype(bool)
    keep = (out_mask ^ in_mask).to_numpy(dtype=bool)
    t, credit = t[keep], in_mask[keep].to_numpy(dtype=bool)

    def side(credit_col: str, debit_col: str) -> pd.Series:
        return t[credit_col].where(credit, t[debit_col]).astype("string")

    view = pd.DataFrame(
        {
            "date": pd.to_datetime(t["booking_date"]),
            "time": t["booking_time"].astype("string"),
            "signed": t["amount_minor"].astype("int64").where(credit, -t["amount_minor"].astype("int64")),
            "currency": t["currency"].astype("string"),
            "cp_account": side("from_account", "to_account"),
            "cp_name": side("from_name", "to_name"),
            "cp_country": side("from_country", "to_country"),
            "own_name": side("to_name", "from_name"),
            "channel": t["channel"].astype("string"),
            "description": t["description"].astype("string"),
            "txn_ref": t["txn_ref"].astype("string"),
            "credit": credit,
        }
    )
    return view.sort_values(["date", "time"], kind="stable", na_position="first").reset_index(drop=True)


def decimal_text(
    amounts: pd.Series, currencies: pd.Series, *, mark: str = ".", group: str = "", strip_zeros: bool = False
) -> pd.Series:
    """Minor units → decimal text, e.g. ``-2500000`` → ``-25 000,00`` (mark ",", group " ")."""
    exps = currencies.map(minor_units).astype("int64").to_numpy()
    values = amounts.astype("int64").to_numpy()
    texts = []
    for value, exp in zip(values.tolist(), exps.tolist(), strict=True):
        whole, frac = divmod(abs(value), 10**exp)
        whole_text = f"{whole:,}".replace(",", group) if group else str(whole)
        frac_text = f"{frac:0{exp}d}" if exp else ""
        if strip_zeros:
            frac_text = frac_text.rstrip("0")
        texts.append(("-" if value < 0 else "") + whole_text + (mark + frac_text if frac_text else ""))
    return pd.Series(texts, index=amounts.index, dtype="string")


def format_bban(account: pd.Series) -> pd.Series:
    """``12345678903`` → ``1234.56.78903``; anything that is not 11 digits unchanged."""
    text = account.astype("string")
    dotted = text.str.slice(0, 4) + "." + text.str.slice(4, 6) + "." + text.str.slice(6)
    return dotted.where(text.str.fullmatch(r"\d{11}").fillna(False).astype(bool), text)
