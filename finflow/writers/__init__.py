"""Writers of bank statement formats, used by the case generator to produce realistic extracts.

Each writer takes canonical transactions (the columns of the ``transactions`` table, as the
generic-CSV importer produces them) and writes one account's statement in a bank's format, so
that importing the file gives back the same transactions (ids, dates, amounts, accounts).
"""

from .bank_csv import BANKS, write_bank_csv
from .camt053 import write_camt053
from .generic import write_generic_csv
from .multiformat import write_multiformat_case

__all__ = ["BANKS", "write_bank_csv", "write_camt053", "write_generic_csv", "write_multiformat_case"]
