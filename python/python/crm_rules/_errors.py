"""The exceptions crm_rules raises.

They are defined in Python so that ``InvalidContext`` can be a ``ValueError`` too, and so that
every one of them pickles: an exception raised on a Spark, Dask or Ray worker reaches the driver
with its ``path`` and ``message`` intact.

A rule that fails is not an exception: it is an entry in the decision's ``errors``, and the
decision's ``status`` says what it means (``held-for-review`` or ``partial``).
"""

from __future__ import annotations

__all__ = ["Error", "InvalidContext", "PackLoadError"]


class Error(Exception):
    """Base class of every crm_rules exception; raised as such when the engine cannot start."""


class InvalidContext(Error, ValueError):
    """A context that is not valid input for the pack, located by its field path.

    ``path`` is where the problem is (``invoices[0].due_date``; empty for the document as a
    whole, as for a JSON syntax error, whose message then gives the line and column), and
    ``message`` what it is (``invalid date "2026-02-30", expected YYYY-MM-DD``).
    """

    path: str
    message: str

    def __init__(self, path: str, message: str) -> None:
        super().__init__(path, message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PackLoadError(Error):
    """A pack (or bundle) that could not be loaded; the message names the file, and for a script
    the line and column, of the first problem."""
