"""The one exception hierarchy of newsspan.

Every error carries structured attributes (``path``, ``doc_id``, ``start``, ``end``) and a message
that names the offending value and the way out. The CLI catches :class:`NewsspanError` once and
prints ``Error: <message>``; any other exception is a bug and keeps its traceback.

Rows a stage can reject and continue without (a bad article, a bad span) are not exceptions:
they become quarantine rows (:class:`newsspan.dataset.records.Rejection`, written to the
``quarantine`` table with the document, the stage and the reason).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ConfigError", "InputError", "NewsspanError", "OutputError", "SyncError"]


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
    """An input cannot be used: its path cannot be read (missing, not a file or folder, no
    permission, not Parquet or JSON), or a row in it breaks a rule the next stage relies on and
    that stage cannot skip the row (a prediction on a layer the schema does not have). ``path``
    is the file, ``doc_id`` the document of the offending row when there is one."""


class OutputError(NewsspanError):
    """An output cannot be written (not a folder, no permission, refusing to overwrite)."""


class SyncError(NewsspanError):
    """Label Studio refused or failed a request after the client's retries.

    ``status`` is the HTTP status of the last response, ``None`` when there was none (server not
    reachable, a failed export build). The message says what was being done and how to go on.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
