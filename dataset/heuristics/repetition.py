"""Repetition: a line that recurs in many documents of one source is the source's template.

Menus, footers, newsletter blurbs and share bars are printed on every page of an outlet, so a
line found in many documents of the same group is boilerplate even when no rule knows its words.
Documents are grouped by their ``outlet``; a document without one is grouped by where it came
from: the first folder of its ``source`` path (``tass/2025/a.txt`` -> ``tass``), or the file of a
JSONL row (``wire.jsonl:12`` -> ``wire.jsonl``), since a scrape is usually saved one site per
folder or file. Lines are compared normalised (:func:`~newsspan.dataset.heuristics.lines.normalize_line`).

A line is repeated when it occurs in at least ``repeat_min_documents`` documents of its group and
in at least ``repeat_min_share`` of them. Sentence-like lines longer than ``repeat_prose_words``
words need ``repeat_prose_share`` of the group as well: updated versions of one story, or wire
copy an outlet reruns, repeat whole paragraphs in a few documents and are still articles. A group
of one document has no repeated lines, and the other signals decide alone.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.lines import normalize_line, word_count

__all__ = ["document_group", "document_lines", "least_documents", "repeated_in_group", "repeated_lines"]


def document_group(outlet: str | None, source: str) -> str:
    """The group a document's lines are counted in: its outlet, else its source's folder or file."""
    if outlet:
        return f"outlet:{outlet.strip().casefold()}"
    path = source.split(":", 1)[0] if source.rsplit(":", 1)[-1].isdigit() else source
    parts = [part for part in path.replace("\\", "/").split("/") if part not in ("", ".")]
    return f"source:{parts[0] if len(parts) > 1 else path}"


def repeated_lines(documents: Iterable[tuple[str, str]], options: PreannotateOptions) -> dict[str, dict[str, float]]:
    """Per group, the normalised lines that repeat, with the share of the group's documents they occur in.

    ``documents`` yields ``(group, text)``.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for group, text in documents:
        sizes[group] += 1
        counts[group].update(document_lines(text))
    return {group: repeated_in_group(counts[group], sizes[group], options) for group in sizes}


def document_lines(text: str) -> set[str]:
    """The distinct normalised lines of one document (each counts once per document)."""
    return {normalize_line(line) for line in text.split("\n")} - {""}


def least_documents(size: int, options: PreannotateOptions) -> int:
    """The fewest documents of a group of ``size`` a line must occur in to be repeated."""
    return max(options.repeat_min_documents, math.ceil(options.repeat_min_share * size))


def repeated_in_group(counts: Mapping[str, int], size: int, options: PreannotateOptions) -> dict[str, float]:
    """The repeated lines of one group of ``size`` documents, from the number of its documents each
    line occurs in (``counts`` may leave out lines in fewer than :func:`least_documents`)."""
    least = least_documents(size, options)
    prose_least = max(least, math.ceil(options.repeat_prose_share * size))
    found: dict[str, float] = {}
    for line, count in counts.items():
        if count < least:
            continue
        if (
            count < prose_least
            and word_count(line, at_most=options.repeat_prose_words + 1) > options.repeat_prose_words
        ):
            continue
        found[line] = round(count / size, 2)
    return found
