"""The ``ner`` config's tokens and BIO tags, a batch of documents at a time in numpy.

Tokens are :data:`TOKEN`'s matches inside each sentence (the regex is the definition; a property
test holds :func:`tokenize` to it): runs of word characters keeping inner hyphens, a clitic
after an apostrophe (``’s``; "n't" is ``n`` + ``'t``), single punctuation marks. Instead of a
match object per token, every code point gets a class from a table built from ``re``'s own
``\\w`` and ``\\s``, and a token is a run of non-space code points that continue one another;
a sentence start breaks every run, as matching inside the sentence alone does.

:class:`NerColumns` takes a batch's documents (their sentences come from
:class:`~newsspan.dataset.heuristics.sentences.Sentences` a line at a time, a line met before
from a cache: the one Python step per document), then tokenizes and tags the whole batch at
once and cuts the token texts from its UTF-8 bytes: no Python object per token. Offsets are
Python code points, half-open ``[start, end)``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pyarrow as pa

from newsspan.dataset.heuristics.sentences import Sentences, default_splitter
from newsspan.dataset.hub.features import ner_tags

__all__ = ["TOKEN", "NerColumns", "sentence_starts", "tokenize"]

TOKEN: Final = re.compile(r"\w+(?:-\w+)*|['’]\w+|[^\w\s]")
_WORD, _SPACE, _APOSTROPHE, _HYPHEN = 1, 2, 3, 4  # code point classes (0: any other mark)


# The class of every code point met so far: filled in as texts bring new ones (building the table
# for all 1.1M code points costs 0.4 s in every worker process), from ``re``'s own ``\w`` and ``\s``.
_CLASS = np.zeros(0x110000, dtype=np.uint8)
_KNOWN = np.zeros(0x110000, dtype=bool)
_CLASS[[ord("'"), ord("’")]] = _APOSTROPHE
_CLASS[ord("-")] = _HYPHEN
_KNOWN[[ord("'"), ord("’"), ord("-")]] = True
_WORD_CHARACTER, _SPACE_CHARACTER = re.compile(r"\w"), re.compile(r"\s")


def _classes(points: Any) -> Any:
    """The class of each code point of ``points``."""
    new = points[~_KNOWN[points]]
    if len(new):
        for point in np.unique(new).tolist():
            character = chr(point)
            word, space = _WORD_CHARACTER.match(character), _SPACE_CHARACTER.match(character)
            _CLASS[point] = _WORD if word else _SPACE if space else 0
        _KNOWN[new] = True
    return _CLASS[points]


def _code_points(text: str) -> Any:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


@functools.lru_cache(maxsize=1 << 14)  # ~10 MB of lines; menus, bylines and wire copy come back
def _line_starts(line: str, splitter: str) -> tuple[int, ...]:
    return tuple(Sentences(line, splitter).starts)


def sentence_starts(text: str) -> list[int]:
    """Where the sentences of ``Sentences(text).spans()`` start, found a line at a time: a line's
    sentences depend on the line alone (every line break ends one), so a line met before (a
    menu, a byline, a paragraph of wire copy) is not split again."""
    splitter, position = default_splitter(), 0
    starts: list[int] = []
    for line in text.split("\n"):
        starts.extend(position + start for start in _line_starts(line, splitter))
        position += len(line) + 1
    return [start for start, end in zip(starts, [*starts[1:], len(text)], strict=True) if start < end]


def _shifted(values: Any, linked: Any, step: int) -> Any:
    """``values[i - step]`` where code points ``i`` and ``i - step`` share a sentence (step ±1), else False."""
    out = np.zeros(len(values), dtype=bool)
    if step > 0:
        out[1:] = values[:-1] & linked[1:-1]
    else:
        out[:-1] = values[1:] & linked[1:-1]
    return out


def tokenize(text: str, starts: Sequence[int] | Any = (0,)) -> tuple[Any, Any]:
    """``(starts, ends)`` of the tokens of ``text`` (int64 arrays): those ``TOKEN.finditer``
    finds in each piece of ``text`` between consecutive sentence ``starts``."""
    kind = _classes(_code_points(text))
    size = len(kind)
    linked = np.ones(size + 1, dtype=bool)  # linked[i]: code points i - 1 and i are in one sentence
    linked[np.asarray(starts, dtype=np.int64)] = False
    linked[[0, size]] = False
    word = kind == _WORD
    after_word, before_word = _shifted(word, linked, 1), _shifted(word, linked, -1)
    after_apostrophe = _shifted(kind == _APOSTROPHE, linked, 1)
    # a hyphen joins two word runs unless the one before is a clitic's (``['’]\w+`` takes none)
    joins = (kind == _HYPHEN) & after_word & before_word
    hyphens = np.flatnonzero(joins)
    if len(hyphens):
        runs = np.flatnonzero(word & ~after_word)  # where each word run starts
        opened = runs[np.searchsorted(runs, hyphens - 1, side="right") - 1]  # the run before each hyphen
        joins[hyphens[after_apostrophe[opened]]] = False
    continues = (word & (after_word | after_apostrophe | _shifted(joins, linked, 1))) | joins
    closes = np.ones(size, dtype=bool)
    closes[:-1] = ~continues[1:]
    solid = kind != _SPACE
    return np.flatnonzero(solid & ~continues), np.flatnonzero(solid & closes) + 1


def _ranges(low: Any, high: Any) -> Any:
    """The indices of every ``[low_i, high_i)``, one range after another."""
    sizes = high - low
    return np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(low - (np.cumsum(sizes) - sizes), sizes)


@dataclass
class NerColumns:
    """The ``ner`` rows of a batch of documents: :meth:`add` each document, then :meth:`table`.

    A document's rows are its sentences with a token, but those starting inside a boilerplate
    span. Entities are tagged in each sentence they touch, outer first (by start, then longest):
    one overlapping a token tagged there already is left out of that sentence, and one whose
    edges fall inside a token is counted in ``misaligned`` (once per sentence it is tagged in).
    """

    misaligned: int = 0
    _texts: list[str] = field(default_factory=list)
    _doc_ids: list[str] = field(default_factory=list)
    _sentences: list[Any] = field(default_factory=list)  # per document: its sentence starts
    _entities: list[tuple[int, int, int, str]] = field(default_factory=list)  # (document, start, end, label)
    _boiler: list[tuple[int, int, int]] = field(default_factory=list)  # (document, start, end)

    def add(self, doc_id: str, text: str, entities: list[dict[str, Any]], boiler: list[dict[str, Any]]) -> None:
        number = len(self._texts)
        self._texts.append(text)
        self._doc_ids.append(doc_id)
        self._sentences.append(sentence_starts(text))
        self._entities.extend((number, e["start"], e["end"], e["label"]) for e in entities)
        self._boiler.extend((number, b["start"], b["end"]) for b in boiler)

    def table(self) -> pa.Table:
        """One row per sentence: doc_id, sentence_id, tokens, ner_tags (names), token_starts, token_ends."""
        text = "".join(self._texts)
        lengths = np.fromiter(map(len, self._texts), dtype=np.int64, count=len(self._texts))
        first = np.concatenate(([0], np.cumsum(lengths)))  # each document's offset in ``text``
        counts = np.fromiter(map(len, self._sentences), dtype=np.int64, count=len(self._sentences))
        begins = np.fromiter((s for starts in self._sentences for s in starts), dtype=np.int64, count=int(counts.sum()))
        begins += np.repeat(first[:-1], counts)
        starts, ends = tokenize(text, np.concatenate((begins, first)))
        sentence = np.searchsorted(begins, starts, side="right") - 1
        document = np.searchsorted(first, starts, side="right") - 1
        kept = (sentence >= 0) & ~self._skipped(begins, first)[np.maximum(sentence, 0)]
        kept &= np.repeat(np.arange(len(lengths)), counts)[np.maximum(sentence, 0)] == document
        starts, ends, sentence, document = starts[kept], ends[kept], sentence[kept], document[kept]
        bounds = np.append(np.flatnonzero(np.diff(sentence, prepend=-1)), len(starts))  # each row's first token
        row_document = document[bounds[:-1]]
        tags, names = self._tags(starts, ends, bounds, first)
        tokens = _cut(text, starts, ends)
        starts, ends = starts - first[document], ends - first[document]  # offsets in each document's text
        row_first = np.searchsorted(row_document, np.arange(len(lengths)))  # each document's first row
        sentence_ids = np.arange(len(row_document)) - row_first[row_document]
        offsets = pa.array(bounds.astype(np.int32))
        return pa.table(
            {
                "doc_id": pa.array(self._doc_ids, type=pa.string()).take(pa.array(row_document)),
                "sentence_id": pa.array(sentence_ids.astype(np.int32)),
                "tokens": pa.ListArray.from_arrays(offsets, tokens),
                "ner_tags": pa.ListArray.from_arrays(offsets, pa.array(names, type=pa.string()).take(pa.array(tags))),
                "token_starts": pa.ListArray.from_arrays(offsets, pa.array(starts.astype(np.int32))),
                "token_ends": pa.ListArray.from_arrays(offsets, pa.array(ends.astype(np.int32))),
            }
        )

    def _skipped(self, begins: Any, first: Any) -> Any:
        """Per sentence: whether it starts inside a boilerplate span of its document."""
        if not self._boiler:
            return np.zeros(len(begins), dtype=bool)
        number, low, high = (np.array(column, dtype=np.int64) for column in zip(*self._boiler, strict=True))
        span_first = first[number]
        low = np.clip(low, 0, None) + span_first  # a span reaching outside its text marks only its own sentences
        high = np.minimum(high + span_first, first[number + 1])
        marks = np.zeros(len(begins) + 1, dtype=np.int64)
        np.add.at(marks, np.searchsorted(begins, low), 1)
        np.add.at(marks, np.maximum(np.searchsorted(begins, high), np.searchsorted(begins, low)), -1)
        return np.cumsum(marks)[:-1] > 0

    def _tags(self, starts: Any, ends: Any, bounds: Any, first: Any) -> tuple[Any, list[str]]:
        """Tag ids of every token and the tag names (``ner_tags()``, then any unknown label's)."""
        names = {name: number for number, name in enumerate(ner_tags())}
        tags = np.zeros(len(starts), dtype=np.int64)
        if not self._entities or not len(starts):
            return tags, list(names)
        columns = list(zip(*self._entities, strict=True))
        number, start, end = (np.array(column, dtype=np.int64) for column in columns[:3])
        label_ids = {
            label: (names.setdefault(f"B-{label}", len(names)), names.setdefault(f"I-{label}", len(names)))
            for label in dict.fromkeys(columns[3])
        }
        b_ids, i_ids = np.array([label_ids[label] for label in columns[3]], dtype=np.int64).reshape(-1, 2).T
        order = np.lexsort((np.arange(len(number)), -end, start, number))  # outer first, then as given
        number, start, end, b_ids, i_ids = number[order], start[order], end[order], b_ids[order], i_ids[order]
        low = np.searchsorted(ends, np.clip(start, 0, None) + first[number], side="right")
        high = np.searchsorted(starts, np.minimum(end + first[number], first[number + 1]), side="left")
        row = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))  # each token's row
        # one piece per (entity, sentence it touches), in the entities' order
        touched = high > low
        first_row, last_row = row[np.minimum(low, len(starts) - 1)], row[np.maximum(high - 1, 0)]
        spans = np.where(touched, last_row - first_row + 1, 0)
        entity = np.repeat(np.arange(len(number)), spans)
        piece_row = _ranges(first_row[touched], last_row[touched] + 1)
        piece_low = np.maximum(low[entity], bounds[piece_row])
        piece_high = np.minimum(high[entity], bounds[piece_row + 1])
        # a piece that no earlier piece reaches into is tagged for sure; the others are decided in order
        reached = np.maximum.accumulate(np.concatenate(([0], piece_high[:-1]))) > piece_low
        sure = ~reached
        inner = _ranges(piece_low[sure] + 1, piece_high[sure])
        tags[inner] = np.repeat(i_ids[entity[sure]], piece_high[sure] - piece_low[sure] - 1)
        tags[piece_low[sure]] = b_ids[entity[sure]]
        aligned = (starts[piece_low] == start[entity] + first[number[entity]]) & (
            ends[piece_high - 1] == end[entity] + first[number[entity]]
        )
        self.misaligned += int(np.count_nonzero(sure & ~aligned))
        for piece in np.flatnonzero(reached).tolist():
            low_token, high_token = int(piece_low[piece]), int(piece_high[piece])
            if not tags[low_token:high_token].any():  # nested entities: the outer one was tagged first
                tags[low_token] = b_ids[entity[piece]]
                tags[low_token + 1 : high_token] = i_ids[entity[piece]]
                self.misaligned += not aligned[piece]
        return tags, list(names)


def _cut(text: str, starts: Any, ends: Any) -> pa.StringArray:
    """The substrings ``text[start:end]`` as an Arrow string array, cut from the UTF-8 bytes."""
    points = _code_points(text)
    extra = (points >= 0x80).astype(np.uint8) + (points >= 0x800) + (points >= 0x10000)  # UTF-8 bytes beyond 1
    wide = np.flatnonzero(extra)  # few in most texts: the byte offset of p is p plus the extra bytes before it
    before = np.concatenate(([0], np.cumsum(extra[wide], dtype=np.int64)))
    low = starts + before[np.searchsorted(wide, starts)]
    high = ends + before[np.searchsorted(wide, ends)]
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)[_ranges(low, high)]
    value_offsets = np.concatenate(([0], np.cumsum(high - low))).astype(np.int32)
    return pa.StringArray.from_buffers(len(starts), pa.py_buffer(value_offsets), pa.py_buffer(data))
