"""Stories: documents that share copy, found in memory that does not grow with the texts.

Articles that share copy (syndicated agency paragraphs, a republished wire story) are one
*story*: two documents join when a paragraph of one (a line of at least MIN_PARAGRAPH_WORDS
words) is a near duplicate of a paragraph of the other: the Jaccard similarity of their word
5-gram sets is at least ``threshold``.

Comparing every pair of paragraphs, or holding an index of every 5-gram, grows with the corpus
(about 100 MB per 1,000 documents). :class:`StoryIndex` reads the texts a batch at a time and
keeps, per paragraph, only fixed-size traces: its MinHash signature (datasketch's ``affine32``
scheme with a fixed seed, so the stories are the same on every run) cut into LSH bands, each
band's key appended to a scratch file, and the paragraph's sorted 5-gram hashes, appended to
another. Paragraphs that share a band key are candidates (the bands are chosen by datasketch for
``threshold``, weighted towards recall: a pair at exactly the threshold is found 86% of the time
at 0.5, a pair above it nearly always); a candidate is confirmed by its *exact* Jaccard, read back
from the scratch file, so a story is never joined on an estimate. A band key shared by more than
COMMON paragraphs (a stock line, or a story syndicated to many outlets) would make the pairs
quadratic: its paragraphs are compared with its first REPRESENTATIVES paragraphs only, so a
hundred copies of one wire story still become one story.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["StoryIndex", "Traces", "group_stories", "paragraph_traces"]

MIN_PARAGRAPH_WORDS: Final = 12  # shorter lines (headings, credits) are not evidence of shared copy
SHINGLE: Final = 5  # words per n-gram
COMMON: Final = 50  # paragraphs of one band key compared pairwise; more: with the first few only
REPRESENTATIVES: Final = 3
NUM_PERM: Final = 128  # MinHash permutations: 30 bands of 4 at threshold 0.5
SEED: Final = 1  # the permutations' seed: fixed, so the stories are deterministic
LSH_WEIGHTS: Final = (0.2, 0.8)  # datasketch's false positive / negative weights: a false candidate
# costs one exact comparison, a missed one a story split in two
SIGNATURE_SHINGLES: Final = 32_768  # 5-grams whose permuted hashes (× NUM_PERM × 4 bytes) are held at once
_MULTIPLIER: Final = np.uint64(0x100000001B3)  # folds a 5-gram's word hashes into one (odd: no bits lost)


@functools.cache
def _non_word_run() -> str:
    """An RE2 pattern for a run of characters outside Python's ``\\w``, so Arrow splits a line into
    exactly the words ``re.findall(r"\\w+", line)`` finds (the class is taken from ``re`` itself)."""
    import re

    every = "".join(map(chr, range(0x110000)))
    word = np.zeros(0x110000 + 1, dtype=bool)
    word[np.frombuffer("".join(re.findall(r"\w", every)).encode("utf-32-le"), dtype=np.uint32)] = True
    edges = np.flatnonzero(np.diff(np.concatenate(([False], word)).astype(np.int8)))
    ranges = "".join(f"\\x{{{lo:x}}}-\\x{{{hi - 1:x}}}" for lo, hi in zip(edges[::2], edges[1::2], strict=True))
    return f"[^{ranges}]+"


@functools.cache
def _bands(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) for ``threshold``, as datasketch's MinHashLSH chooses them."""
    from datasketch import MinHashLSH  # type: ignore[import-untyped]

    try:
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=LSH_WEIGHTS)
    except ValueError:  # near 1.0 one band of every permutation is optimal; MinHashLSH wants two
        return 2, NUM_PERM // 2
    return int(lsh.b), int(lsh.r)


@functools.cache
def _permutations() -> tuple[Any, Any, Any]:
    """datasketch's affine32 permutations (a, b) for SEED, and its MurmurHash3 pre-mix."""
    from datasketch import MinHash
    from datasketch.minhash import _fmix  # type: ignore[import-untyped]

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
    return a, b, _fmix


@functools.cache
def _mix(rows: int) -> Any:
    """Odd multipliers that fold a band's ``rows`` MinHash values into one 64-bit key."""
    return np.random.RandomState(SEED).randint(0, 1 << 62, size=rows, dtype=np.uint64) * 2 + 1


@dataclass(frozen=True, slots=True)
class Traces:
    """A batch of documents' paragraph traces (:func:`paragraph_traces`): each paragraph's
    document position in the batch, its count of distinct 5-grams, the 5-grams' hashes (one
    paragraph after another) and its LSH band keys (bands × paragraphs)."""

    paragraph_doc: Any
    sizes: Any
    shingles: Any
    keys: Any


def paragraph_traces(texts: pa.Array | pa.ChunkedArray, *, threshold: float = 0.5) -> Traces:
    """The traces :class:`StoryIndex` keeps of ``texts`` (pure: a worker process can make them)."""
    bands, rows = _bands(threshold)
    paragraph_doc, sizes, shingles = _paragraph_shingles(texts)
    if not len(sizes):
        return Traces(paragraph_doc, sizes, shingles, np.zeros((bands, 0), dtype=np.uint64))
    signatures = _signatures(shingles, sizes)[:, : bands * rows].reshape(len(sizes), bands, rows)
    keys = (signatures.astype(np.uint64) * _mix(rows)).sum(axis=2, dtype=np.uint64)  # wraps: order-free
    return Traces(paragraph_doc, sizes, shingles, np.ascontiguousarray(keys.T))


class StoryIndex:
    """Paragraph traces of documents added a batch at a time; :meth:`stories` joins them.

    ``scratch`` (a folder the caller owns and removes) receives the band keys and 5-gram hashes."""

    def __init__(self, scratch: Path, *, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.bands, self.rows = _bands(threshold)
        self.doc_ids: list[str] = []
        self._scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        self._paragraph_doc: list[Any] = []  # per batch: the document number of each paragraph
        self._sizes: list[Any] = []  # per batch: distinct 5-grams per paragraph
        self._shingles = (scratch / "shingles.u64").open("wb")
        self._keys = [(scratch / f"band-{band:03d}.u64").open("wb") for band in range(self.bands)]

    def add(self, doc_ids: Sequence[str], texts: pa.Array | pa.ChunkedArray) -> None:
        """Add documents (their ids, and their texts as an Arrow string array)."""
        self.add_traces(doc_ids, paragraph_traces(texts, threshold=self.threshold))

    def add_traces(self, doc_ids: Sequence[str], traces: Traces) -> None:
        """Add documents by their traces (:func:`paragraph_traces` of their texts, this threshold)."""
        first = len(self.doc_ids)
        self.doc_ids.extend(doc_ids)
        if not len(traces.sizes):
            return
        self._paragraph_doc.append(traces.paragraph_doc.astype(np.int64) + first)
        self._sizes.append(traces.sizes)
        self._shingles.write(traces.shingles.tobytes())
        for band, handle in enumerate(self._keys):
            handle.write(traces.keys[band].tobytes())

    def stories(self) -> dict[str, str]:
        """doc_id → story_id (the smallest doc_id of its story)."""
        for handle in (self._shingles, *self._keys):
            handle.close()
        parent = list(range(len(self.doc_ids)))

        def find(doc: int) -> int:
            while parent[doc] != doc:
                parent[doc] = parent[parent[doc]]
                doc = parent[doc]
            return doc

        if self._sizes:
            paragraph_doc = np.concatenate(self._paragraph_doc)
            sizes = np.concatenate(self._sizes)
            offsets = np.concatenate(([0], np.cumsum(sizes)))
            # read, not mapped: the pages of a mapped file count as the process's memory, and the
            # candidates touch pages all over a file that grows with the corpus
            shingles = os.open(self._scratch / "shingles.u64", os.O_RDONLY)
            try:
                for first, other in self._candidates(paragraph_doc):
                    a, b = find(int(paragraph_doc[first])), find(int(paragraph_doc[other]))
                    if a == b:
                        continue
                    x, y = _read(shingles, offsets, first), _read(shingles, offsets, other)
                    shared = len(np.intersect1d(x, y, assume_unique=True))
                    if shared / (len(x) + len(y) - shared) >= self.threshold:
                        low, high = sorted((a, b), key=self.doc_ids.__getitem__)
                        parent[high] = low  # the root is always the smallest doc_id: order does not matter
            finally:
                os.close(shingles)
        return {doc: self.doc_ids[find(number)] for number, doc in enumerate(self.doc_ids)}

    def _candidates(self, paragraph_doc: Any) -> Iterator[tuple[int, int]]:
        """Pairs of paragraphs of different documents that share a band key, a band at a time (a
        pair may come again from another band: the caller skips documents already joined, and a
        set of the pairs seen would grow with the corpus)."""
        for band in range(self.bands):
            keys = np.fromfile(self._scratch / f"band-{band:03d}.u64", dtype=np.uint64)
            order = np.argsort(keys, kind="stable")  # a key's paragraphs in paragraph order
            ranked = keys[order]
            edges = np.flatnonzero(ranked[1:] != ranked[:-1]) + 1
            starts, ends = np.concatenate(([0], edges)), np.concatenate((edges, [len(keys)]))
            for low, high in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist(), strict=True):
                members = order[low:high].tolist()
                firsts = members if len(members) <= COMMON else members[:REPRESENTATIVES]
                for i, first in enumerate(firsts):
                    for other in members[i + 1 :]:
                        if paragraph_doc[first] != paragraph_doc[other]:
                            yield first, other


def _read(handle: int, offsets: Any, paragraph: int) -> Any:
    """A paragraph's sorted 5-gram hashes, read from the scratch file."""
    low, high = int(offsets[paragraph]), int(offsets[paragraph + 1])
    return np.frombuffer(os.pread(handle, (high - low) * 8, low * 8), dtype=np.uint64)


def _paragraph_shingles(texts: pa.Array | pa.ChunkedArray) -> tuple[Any, Any, Any]:
    """The paragraphs of ``texts``: each one's document position, its count of distinct 5-grams,
    and the 5-grams' 64-bit hashes (sorted within each paragraph, paragraphs one after another).

    Words are ``\\w+`` runs, compared lowercased (``str.lower``) as the words of one 5-gram."""
    import xxhash

    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()  # parent indices are per chunk
    if texts.null_count:
        texts = pc.fill_null(texts, "")
    lines = pc.split_pattern(texts, "\n")
    line_doc = pc.list_parent_indices(lines).to_numpy()
    words = pc.split_pattern_regex(pc.list_flatten(lines), _non_word_run())
    word_line = pc.list_parent_indices(words).to_numpy()
    words = pc.list_flatten(words)
    counted = pc.greater(pc.binary_length(words), 0).to_numpy(zero_copy_only=False)  # no empty edge pieces
    per_line = np.bincount(word_line[counted], minlength=len(line_doc))
    kept = counted & (per_line >= MIN_PARAGRAPH_WORDS)[word_line]
    words = pc.dictionary_encode(words.filter(pa.array(kept)))
    vocabulary = words.dictionary.to_pylist()
    word_hash = np.fromiter(
        (xxhash.xxh3_64_intdigest(word.lower().encode()) for word in vocabulary), dtype=np.uint64, count=len(vocabulary)
    )[words.indices.to_numpy()]
    lengths = per_line[per_line >= MIN_PARAGRAPH_WORDS]
    paragraph_doc = line_doc[per_line >= MIN_PARAGRAPH_WORDS]
    if not len(lengths):
        return paragraph_doc, lengths, np.empty(0, dtype=np.uint64)
    count = len(word_hash) - SHINGLE + 1
    folded = word_hash[:count].copy()
    for k in range(1, SHINGLE):
        folded = folded * _MULTIPLIER + word_hash[k : count + k]
    position = np.arange(len(word_hash)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    whole = (position <= np.repeat(lengths, lengths) - SHINGLE)[:count]  # the 5-gram ends in its paragraph
    paragraph = np.repeat(np.arange(len(lengths)), lengths - SHINGLE + 1)
    folded = folded[whole]
    order = np.lexsort((folded, paragraph))
    folded, paragraph = folded[order], paragraph[order]
    distinct = np.concatenate(([True], (folded[1:] != folded[:-1]) | (paragraph[1:] != paragraph[:-1])))
    return paragraph_doc, np.bincount(paragraph[distinct], minlength=len(lengths)), folded[distinct]


def _signatures(shingles: Any, sizes: Any) -> Any:
    """Each paragraph's MinHash signature (``NUM_PERM`` uint32): what datasketch's ``MinHash``
    (affine32, seed SEED) gives after ``update_batch`` of the paragraph's 5-gram hashes folded to
    32 bits, computed for many paragraphs at once."""
    a, b, fmix = _permutations()
    hashed = fmix((shingles ^ (shingles >> np.uint64(32))).astype(np.uint32), 32)
    starts = np.cumsum(sizes) - sizes
    out = np.empty((len(sizes), NUM_PERM), dtype=np.uint32)
    buffer = np.empty((SIGNATURE_SHINGLES + int(sizes.max()), NUM_PERM), dtype=np.uint32)
    first = 0
    while first < len(sizes):
        last = max(first + 1, int(np.searchsorted(starts, starts[first] + SIGNATURE_SHINGLES, side="right")))
        low, high = starts[first], starts[last - 1] + sizes[last - 1]
        permuted = np.multiply(hashed[low:high, None], a, out=buffer[: high - low])
        permuted += b  # uint32: wraps, the scheme's arithmetic mod 2^32
        out[first:last] = np.minimum.reduceat(permuted, starts[first:last] - low, axis=0)
        first = last
    return out


def group_stories(texts: dict[str, str], *, threshold: float = 0.5) -> dict[str, str]:
    """doc_id → story_id (the smallest doc_id of the story), by near-duplicate paragraphs."""
    with tempfile.TemporaryDirectory(prefix="newsspan-stories-") as scratch:
        index = StoryIndex(Path(scratch), threshold=threshold)
        doc_ids = list(texts)
        for first in range(0, len(doc_ids), 1000):
            batch = doc_ids[first : first + 1000]
            index.add(batch, pa.array([texts[doc] for doc in batch], type=pa.large_string()))
        return index.stories()
