"""Following the money: time-respecting trails and proceeds tracing through commingled accounts.

- :func:`trace_paths`: where money from (or to) an account could have gone, hop by hop, never
  backwards in time and never more than arrived.
- :func:`trace_proceeds`: how tainted inflows spread through accounts under a named convention
  (FIFO, LIFO, pro rata, LIBR), colour by colour, with exact conservation.
"""

from finflow.trace.ledger import METHODS
from finflow.trace.paths import TraceResult, resolve_start, trace_paths
from finflow.trace.proceeds import DESTINATION_KINDS, ProceedsResult, tainted_from, trace_proceeds

__all__ = [
    "DESTINATION_KINDS",
    "METHODS",
    "ProceedsResult",
    "TraceResult",
    "resolve_start",
    "tainted_from",
    "trace_paths",
    "trace_proceeds",
]
