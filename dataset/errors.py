"""The one exception hierarchy of newsspan.

Every error carries structured attributes (``path``, ``doc_id``, ``start``, ``end``) and a message
that names the offending value and the way out. The CLI catches :class:`NewsspanError` once and
prints ``Error: <message>``; any other exception is a bug and keeps its traceback.

Rows a stage can reject and continue without (a bad article, a bad span) are not exceptions:
they become quarantine rows (see :mod:`newsspan.dataset.quarantine`).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ConfigError", "InputError", "NewsspanError", "OutputError"]


class NewsspanError(Exception):
    """Base class: a problem the user can fix, described with where it is and how to fix it."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        doc_id: str | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.doc_id = doc_id
        self.start = start
        self.end = end

    def __str__(self) -> str:
        return self.message


class ConfigError(NewsspanError):
    """A configuration file or option is invalid (unknown key, wrong type, bad value)."""


class InputError(NewsspanError):
    """An input path cannot be read at all (missing, not a file or folder, no permission)."""


class OutputError(NewsspanError):
    """An output cannot be written (not a folder, no permission, refusing to overwrite)."""
