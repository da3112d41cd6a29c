"""Scoring findings against ground truth: how well finflow does on labelled public data.

A *truth* names the accounts that take part in laundering, per typology where the data says
which (``roles``), and where known the laundering transactions. It comes from an AMLGentex-style
``truth.json``, or straight from a labelled benchmark file (an AMLworld ``*_Trans.csv`` or
``*_Patterns.txt``, an AMLGentex ``tx_log.parquet``), read by the importer of that format.

Scores are account-level, as the AMLGentex development set defines them: a typology's recall is
the share of its accounts that findings name as subjects (any detector, any role); precision is
the share of named accounts that take part in some laundering. Where the truth lists laundering
transactions, the findings' evidence is scored against them too (transaction-level precision,
recall and F1, the measure of the published AMLworld results).
"""

from finflow.evaluation.scoring import Score, flagged_transactions, named_accounts, score
from finflow.evaluation.truth import Truth, TruthError, load_truth

__all__ = ["Score", "Truth", "TruthError", "flagged_transactions", "load_truth", "named_accounts", "score"]
