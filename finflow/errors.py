"""The errors finflow raises for its users: each carries one line that names what is wrong.

Library code raises a subclass of :class:`FinflowError` when the user can act on the message
(a locked or damaged case, an output folder finflow will not replace); the command line prints
the message as it is, without a traceback.
"""

from __future__ import annotations

__all__ = ["FinflowError"]


class FinflowError(Exception):
    """A failure the user can act on; ``str(error)`` is one line naming the file or setting."""
