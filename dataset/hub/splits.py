"""Leakage-free splits of stories.

Articles that share copy are one *story* (:mod:`newsspan.dataset.hub.stories` finds them).
Stories, not documents, are assigned to splits, deterministically (a hash of the story id against
the ratios), so shared copy never straddles train and test. A corpus with too few stories for
every split is not split: everything goes to ``train`` and the build says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from newsspan.dataset.hub.stories import group_stories

__all__ = ["SPLITS", "SplitPlan", "assign_splits", "group_stories"]

SPLITS = ("train", "validation", "test")  # the split names, in the order of build.split_ratios
# 80/10/10, as build.split_ratios' default, for callers that pass no ratios
_DEFAULT_RATIOS: tuple[tuple[str, float], ...] = tuple(zip(SPLITS, (0.8, 0.1, 0.1), strict=True))


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
