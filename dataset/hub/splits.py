"""Stories and leakage-free splits.

Articles that share copy (syndicated agency paragraphs, a republished wire story) are one
*story*: two documents join when a paragraph of one is a near duplicate of a paragraph of the
other (Jaccard similarity of their word 5-gram sets at least ``threshold``). Stories, not
documents, are assigned to splits, deterministically (a hash of the story id against the
ratios), so shared copy never straddles train and test. A corpus with too few stories for every
split is not split: everything goes to ``train`` and the build says so.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["SPLITS", "SplitPlan", "assign_splits", "group_stories"]

SPLITS = ("train", "validation", "test")  # the split names, in the order of build.split_ratios
_WORD = re.compile(r"\w+")
SHINGLE = 5
MIN_PARAGRAPH_WORDS = 12  # shorter lines (headings, credits) are not evidence of shared copy
COMMON = 50  # a 5-gram in more paragraphs than this is a stock phrase, or copy syndicated widely
REPRESENTATIVES = 3  # ... whose paragraphs are compared with its first few paragraphs only
# 80/10/10, as build.split_ratios' default, for callers that pass no ratios
_DEFAULT_RATIOS: tuple[tuple[str, float], ...] = tuple(zip(SPLITS, (0.8, 0.1, 0.1), strict=True))


def _shingles(paragraph: str) -> frozenset[int]:
    words = [w.lower() for w in _WORD.findall(paragraph)]
    return frozenset(hash(" ".join(words[i : i + SHINGLE])) for i in range(max(0, len(words) - SHINGLE + 1)))


def group_stories(texts: dict[str, str], *, threshold: float = 0.5) -> dict[str, str]:
    """doc_id → story_id (the smallest doc_id of the story), by near-duplicate paragraphs."""
    parent = {doc: doc for doc in texts}

    def find(doc: str) -> str:
        while parent[doc] != doc:
            parent[doc] = parent[parent[doc]]
            doc = parent[doc]
        return doc

    paragraphs, index = _paragraphs(texts)
    for first, other in _similar_pairs(paragraphs, index, threshold):
        a, b = find(paragraphs[first][0]), find(paragraphs[other][0])
        parent[max(a, b)] = min(a, b)  # the root is always the smallest doc_id: order does not matter
    return {doc: find(doc) for doc in texts}


Paragraph = tuple[str, frozenset[int]]  # doc_id, its 5-gram hashes


def _paragraphs(texts: dict[str, str]) -> tuple[list[Paragraph], dict[int, list[int]]]:
    """The paragraphs long enough to be evidence, and the index 5-gram → paragraph numbers."""
    paragraphs: list[Paragraph] = []
    index: dict[int, list[int]] = defaultdict(list)
    for doc in sorted(texts):
        for line in texts[doc].split("\n"):
            if len(_WORD.findall(line)) >= MIN_PARAGRAPH_WORDS:
                shingles = _shingles(line)
                for shingle in shingles:
                    index[shingle].append(len(paragraphs))
                paragraphs.append((doc, shingles))
    return paragraphs, index


def _similar_pairs(
    paragraphs: list[Paragraph], index: dict[int, list[int]], threshold: float
) -> Iterator[tuple[int, int]]:
    """Pairs of paragraphs of different documents whose 5-gram Jaccard is at least ``threshold``.

    Candidates come from the 5-grams they share; a 5-gram of one paragraph only (most of them)
    costs nothing. A 5-gram in more than COMMON paragraphs (a stock phrase, or a story
    syndicated to many outlets) would make this quadratic: its paragraphs are compared with its
    first REPRESENTATIVES paragraphs instead, by their whole 5-gram sets, so a hundred copies of
    one wire story still become one story."""
    overlaps: Counter[tuple[int, int]] = Counter()
    compared: set[tuple[int, int]] = set()
    for postings in index.values():
        if len(postings) <= COMMON:
            for i, first in enumerate(postings):
                doc = paragraphs[first][0]
                overlaps.update((first, other) for other in postings[i + 1 :] if paragraphs[other][0] != doc)
            continue
        for first in postings[:REPRESENTATIVES]:
            for other in postings:
                pair = (min(first, other), max(first, other))
                if paragraphs[first][0] != paragraphs[other][0] and pair not in compared:
                    compared.add(pair)
                    a, b = paragraphs[first][1], paragraphs[other][1]
                    if len(a & b) / len(a | b) >= threshold:
                        yield pair
    for (first, other), shared in overlaps.items():
        union = len(paragraphs[first][1]) + len(paragraphs[other][1]) - shared
        if union and shared / union >= threshold:
            yield first, other


@dataclass(frozen=True, slots=True)
class SplitPlan:
    splits: dict[str, str]  # doc_id -> split
    stories: int
    note: str | None  # why the corpus was not split, when it was not


def assign_splits(
    stories: dict[str, str],
    *,
    ratios: Sequence[tuple[str, float]] = _DEFAULT_RATIOS,
) -> SplitPlan:
    """Deterministic split per story: stories ordered by a hash of their id, the smaller splits
    take their share (at least one story each) and the first split the rest. A corpus too small
    for every split stays whole in the first."""
    story_ids = sorted(set(stories.values()))
    smallest = min(share for _, share in ratios)
    if len(story_ids) * smallest < 1 or len(story_ids) <= len(ratios):
        note = (
            f"{len(story_ids)} stor{'y' if len(story_ids) == 1 else 'ies'} cannot fill "
            f"{len(ratios)} splits at these ratios without leaking shared copy: everything is in train"
        )
        return SplitPlan(dict.fromkeys(stories, "train"), len(story_ids), note)
    order = sorted(story_ids, key=lambda story: hashlib.sha256(story.encode()).hexdigest())
    counts = [max(1, round(len(order) * share)) for _, share in ratios[1:]]
    assigned: dict[str, str] = {}
    position = 0
    for (name, _), count in zip(ratios[1:], counts, strict=True):  # the smaller splits first, at least 1 story
        for story in order[position : position + count]:
            assigned[story] = name
        position += count
    for story in order[position:]:
        assigned[story] = ratios[0][0]
    return SplitPlan({doc: assigned[story] for doc, story in stories.items()}, len(story_ids), None)
