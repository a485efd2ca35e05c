"""Finding the input files under the paths given to ingest: nothing on disk is passed over unseen.

A folder is walked recursively in sorted order (so ids and duplicate decisions are the same on
every run), following symlinked folders; a folder is never read twice and a link loop is never
followed. Hidden entries (names starting with '.') are skipped and counted. Every other entry
that is not read becomes a quarantine row naming it and why: a dangling link, a link loop, a
FIFO/socket/device, a folder that cannot be listed, or a file (or folder) that was already
reached through another path (one file is one input, read once).

Sources are the article's identity: a file given directly is named by its name, a file found in
a folder by the folder's name and the path below it (``seeds/003.txt``). When two different
files would get the same name (``a/x.txt`` and ``b/x.txt`` given directly), both take as many
parent folders as it takes to tell them apart.
"""

from __future__ import annotations

import errno
import os
import stat
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from newsspan.dataset.errors import InputError
from newsspan.dataset.records import Rejection

__all__ = ["InputFile", "Inputs", "discover_inputs"]

_STAGE = "ingest"
_Key = tuple[int, int]  # (st_dev, st_ino): what makes two paths one file or folder
_MISSING = (errno.ENOENT, errno.ENOTDIR)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path  # as reached from the path given (links not resolved), for reading and messages
    name: str  # the source: how it is shown and stored (see the module docstring)


@dataclass(frozen=True, slots=True)
class Inputs:
    files: list[InputFile]
    hidden_skipped: int
    total_bytes: int
    refused: list[Rejection] = field(default_factory=list)  # entries found and not read, one row each


def discover_inputs(paths: Sequence[Path]) -> Inputs:
    """The files to read under ``paths`` and a row for each entry that is not read; raises
    :class:`InputError` for a given path that is unusable."""
    walk = _Walk()
    for path in paths:
        walk.given(path)
    files = _distinct_names(walk.files)
    names = {id(old): new.name for old, new in zip(walk.files, files, strict=True)}
    repeats = [_repeat(names[id(file)], first, again, what="file") for file, first, again in walk.repeats]
    return Inputs(files, walk.hidden, sum(_size(f.path) for f in files), walk.refused + repeats)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _absolute(path: Path) -> Path:
    """The absolute path with '.' and '..' folded, links not resolved (they are part of the name)."""
    return Path(os.path.abspath(path))  # noqa: PTH100  (Path.resolve would resolve links)


def _key(status: os.stat_result) -> _Key:
    return status.st_dev, status.st_ino


def _reject(source: str, reason: str, detail: str) -> Rejection:
    return Rejection(source=source, doc_id=None, stage=_STAGE, reason=reason, detail=detail)


def _scandir(path: Path) -> list[os.DirEntry[str]]:
    """The entries of a folder, sorted by name (a seam for tests: listing can be refused)."""
    with os.scandir(path) as entries:
        return sorted(entries, key=lambda entry: entry.name)


@dataclass(frozen=True, slots=True)
class _Mention:
    """How a file or folder was reached: its path, and how (given, or found in a given folder)."""

    path: Path
    via: str

    def __str__(self) -> str:
        return f"{self.path} ({self.via})"


class _Walk:
    def __init__(self) -> None:
        self.files: list[InputFile] = []
        self.refused: list[Rejection] = []
        self.hidden = 0
        self.repeats: list[tuple[InputFile, _Mention, _Mention]] = []  # (file, first mention, repeat)
        self._files: dict[_Key, tuple[InputFile, _Mention]] = {}
        self._folders: dict[_Key, tuple[str, _Mention]] = {}

    def given(self, path: Path) -> None:
        """One path of the command line: a file, or a folder to walk."""
        try:
            status = path.stat()
        except OSError as exc:
            raise InputError(_unusable(path, exc), path=path) from None
        mention = _Mention(path, "given")
        if stat.S_ISREG(status.st_mode):
            self._file(mention, path.name, status)
        elif stat.S_ISDIR(status.st_mode):
            label = _absolute(path).name or path.resolve().name or path.as_posix()
            self._folder(mention, label, status, frozenset())
        else:
            raise InputError(f"input {path} is neither a file nor a folder; pass article files or folders", path=path)

    def _file(self, mention: _Mention, name: str, status: os.stat_result) -> None:
        first = self._files.get(_key(status))
        if first is not None:
            self.repeats.append((first[0], first[1], mention))
            return
        input_file = InputFile(mention.path, name)
        self._files[_key(status)] = (input_file, mention)
        self.files.append(input_file)

    def _folder(self, mention: _Mention, name: str, status: os.stat_result, ancestors: frozenset[_Key]) -> None:
        key, path = _key(status), mention.path
        if key in ancestors:
            detail = (
                f"{name}: a link to {_target(path)}, a folder that contains it (a link loop); it is not followed: "
                "remove the link or point it elsewhere"
            )
            self.refused.append(_reject(name, "link_loop", detail))
            return
        if key in self._folders:
            first_name, first = self._folders[key]
            self.refused.append(_repeat(first_name, first, mention, what="folder"))
            return
        self._folders[key] = (name, mention)
        try:
            entries = _scandir(path)
        except OSError as exc:
            if not ancestors:
                raise InputError(
                    f"input folder {path} cannot be read: {exc.strerror}; fix its permissions", path=path
                ) from None
            detail = (
                f"{name}: the folder cannot be listed ({exc.strerror}); nothing in it was read: fix its permissions"
            )
            self.refused.append(_reject(name, "unreadable", detail))
            return
        via = mention.via if ancestors else f"in folder {path}"
        for entry in entries:
            self._entry(_Mention(path / entry.name, via), f"{name}/{entry.name}", entry, ancestors | {key})

    def _entry(self, mention: _Mention, name: str, entry: os.DirEntry[str], ancestors: frozenset[_Key]) -> None:
        if entry.name.startswith("."):
            self.hidden += _count_hidden(entry)
            return
        try:
            status = mention.path.stat()
        except OSError as exc:
            self.refused.append(_broken(mention.path, name, exc))
            return
        if stat.S_ISDIR(status.st_mode):
            self._folder(mention, name, status, ancestors)
        elif stat.S_ISREG(status.st_mode):
            self._file(mention, name, status)
        else:
            kind = next((text for test, text in _KINDS if test(status.st_mode)), "not a file or folder")
            detail = (
                f"{name}: {kind}, not a regular file; only regular files are read: copy the article into a "
                "file or move this out of the input folder"
            )
            self.refused.append(_reject(name, "not_regular_file", detail))


def _target(path: Path) -> str:
    return str(path.readlink()) if path.is_symlink() else str(path)


def _repeat(first_name: str, first: _Mention, again: _Mention, *, what: str) -> Rejection:
    """The row for a file (or folder) reached again: it is read once, under its first name."""
    detail = (
        f"{first_name}: the same {what} is named twice, as {first} and as {again}; it is read once, "
        f"as {first_name}: pass it once"
    )
    return _reject(first_name, "duplicate", detail)


def _unusable(path: Path, exc: OSError) -> str:
    if path.is_symlink() and exc.errno in _MISSING:
        return f"input {path} is a link to {path.readlink()}, which does not exist; fix the link or pass the file"
    if exc.errno in _MISSING:
        return f"input {path} does not exist; pass article files or folders"
    return f"input {path} cannot be read: {exc.strerror}; fix the path or its permissions"


def _broken(path: Path, name: str, exc: OSError) -> Rejection:
    """The row for an entry that cannot be looked at: a dangling link, a link loop, no permission."""
    target = path.readlink() if path.is_symlink() else None
    if target is not None and exc.errno in _MISSING:
        detail = f"{name}: a link to {target}, which does not exist (a dangling link); fix or remove the link"
        return _reject(name, "dangling_link", detail)
    if target is not None and exc.errno == errno.ELOOP:
        detail = f"{name}: a link to {target} that leads back to itself (a link loop); fix or remove the link"
        return _reject(name, "link_loop", detail)
    detail = f"{name}: cannot be looked at ({exc.strerror}); fix its permissions or move it out of the input"
    return _reject(name, "unreadable", detail)


def _count_hidden(entry: os.DirEntry[str]) -> int:
    """1 for a hidden file (or link, or pipe); for a hidden folder, the files and links below it (links
    are not followed)."""
    if not entry.is_dir(follow_symlinks=False):
        return 1
    below = os.walk(entry.path, followlinks=False)
    return sum(len(files) + sum(Path(top, name).is_symlink() for name in folders) for top, folders, files in below)


def _distinct_names(files: list[InputFile]) -> list[InputFile]:
    """Give files that share a name (different files: the same one is read once) as many of their
    parent folders as tells them apart; the absolute path if nothing shorter does."""
    for _ in range(2):
        clashes = _clashes(files)
        if not clashes:
            return files
        renamed = {id(f): _tail(f, depth) for group in clashes for f, depth in _depths(group)}
        files = [replace(f, name=renamed.get(id(f), f.name)) for f in files]
    clashes = _clashes(files)
    fallback = {id(f) for group in clashes for f in group}
    return [replace(f, name=_absolute(f.path).as_posix()) if id(f) in fallback else f for f in files]


def _clashes(files: Iterable[InputFile]) -> list[list[InputFile]]:
    groups: dict[str, list[InputFile]] = defaultdict(list)
    for input_file in files:
        groups[input_file.name].append(input_file)
    return [group for group in groups.values() if len(group) > 1]


def _depths(group: list[InputFile]) -> Iterable[tuple[InputFile, int]]:
    paths = [_absolute(f.path).parts for f in group]
    depth = len(PurePosixPath(group[0].name).parts) + 1
    longest = max(len(parts) for parts in paths)
    while depth < longest and len({parts[-depth:] for parts in paths}) < len(group):
        depth += 1
    return ((f, depth) for f in group)


def _tail(input_file: InputFile, depth: int) -> str:
    parts = _absolute(input_file.path).parts
    return PurePosixPath(*parts[-depth:]).as_posix()
