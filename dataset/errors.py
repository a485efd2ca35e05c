"""The one exception hierarchy of newsspan.

Every error carries structured attributes (``path``, ``doc_id``, ``start``, ``end``) and a message
that names the offending value and the way out. The CLI catches :class:`NewsspanError` once and
prints ``Error: <message>``; any other exception is a bug and keeps its traceback.

Rows a stage can reject and continue without (a bad article, a bad span) are not exceptions:
they become quarantine rows (:class:`newsspan.dataset.records.Rejection`, written to the
``quarantine`` table with the document, the stage and the reason).
"""

from __future__ import annotations

import errno
from pathlib import Path

__all__ = ["ConfigError", "InputError", "NewsspanError", "OutputError", "SyncError", "output_error"]


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


# The errors of a full disk, a quota, a read-only or forbidden place, a file-size limit: the
# user's to fix, so `Error: ...` with the path and the way out, never a traceback.
_WAY_OUT = {
    errno.ENOSPC: "no space left on the device: free some space, or choose an --out on another disk",
    errno.EDQUOT: "the disk quota is exceeded: free some space, or choose an --out elsewhere",
    errno.EFBIG: "the file is larger than this system allows (a file-size limit): raise it, or write elsewhere",
    errno.EROFS: "the file system is read-only: choose an --out elsewhere",
    errno.EACCES: "permission denied: fix the folder's permissions, or choose an --out elsewhere",
    errno.EPERM: "operation not permitted: fix the folder's permissions, or choose an --out elsewhere",
}
_ARROW_MESSAGES = {"No space left on device": errno.ENOSPC, "File too large": errno.EFBIG}


def output_error(exc: OSError, where: Path | str) -> OutputError | None:
    """The :class:`OutputError` for an ``OSError`` the user can fix (full disk, permissions),
    naming the file (else ``where``); None for any other error, which stays a bug."""
    code = exc.errno
    if code is None:  # Arrow's I/O errors carry the reason in their text only
        code = next((c for text, c in _ARROW_MESSAGES.items() if text in str(exc)), None)
    if code not in _WAY_OUT:
        return None
    path = exc.filename or where
    return OutputError(f"cannot write {path}: {_WAY_OUT[code]}", path=path)
