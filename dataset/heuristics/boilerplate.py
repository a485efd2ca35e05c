"""Boilerplate spans of one article's plain text: the decision over line rules and blocks.

A line is boilerplate, in this order of evidence:

1. a line rule fires (:mod:`~newsspan.dataset.heuristics.rules`: promos, widgets, consent, legal,
   share bars, tags, breadcrumbs, bylines, "Read more:" links, teasers, credits, captions);
2. the line recurs in many documents of the same source (``repeated``, from
   :mod:`~newsspan.dataset.heuristics.repetition`); rule ``repeated_line:<share>`` with the share
   of the source's documents that print it;
3. it lies in a block that is not the article (:mod:`~newsspan.dataset.heuristics.blocks`): a
   comment thread (``comment_thread``), another story (``second_story``), or prose off the
   article's topic (``off_topic_block``);
4. it lies outside every kept block and more than ``main_block_margin`` lines from one, or in a
   run of ``menu_min_run`` menu-shaped lines anywhere outside the article: ``menu_run``,
   ``date_line``, ``author_bio`` or ``outside_main_block``.

A headline list (:mod:`~newsspan.dataset.heuristics.runs`) labels a line only outside the
article's blocks, unless a labelled cue line ("More from UK") stands right above it
(``cued_headline_list``). Lines of the article's blocks (and their margins) are never labelled
by 3 and 4, so a heading or a credit alone never turns the prose after it into boilerplate. The
headline and dek ingest found are never boilerplate; metadata lines (outlet, timestamp, ``date``
prefix) are METADATA, and an agency credit after the last sentence is CREDIT. Rule names are
plain; only ``repeated_line`` carries a score. Offsets are code points, ``[start, end)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.blocks import Block, find_blocks, promote_prose_runs, revise_classes
from newsspan.dataset.heuristics.credits import find_credit, is_credit_line
from newsspan.dataset.heuristics.lines import Line, is_headline_shaped, normalize_line, split_lines, word_count
from newsspan.dataset.heuristics.proposals import DEFAULTS, Proposal
from newsspan.dataset.heuristics.rules import RULES, BoilerplateRule, classify_line
from newsspan.dataset.heuristics.runs import cued_runs, headline_lists, menu_runs

__all__ = ["RULES", "BoilerplateRule", "classify_line", "detect_boilerplate", "find_credit", "word_count"]

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}|\b\d{{4}}-\d\d-\d\d\b|\b\d{{1,2}}[:.]\d\d\s*(?:[ap]\.?m\.?|gmt|utc|et|bst)\b|"
    r"\b\d+\s+(?:minutes?|hours?|days?|weeks?|months?)\s+ago\b|^(?:updated|published|posted|last\s+updated)\b",
    re.IGNORECASE,
)
_BIO = re.compile(
    r"^(?:[A-Z][\w.'’-]+\s+){1,4}(?:is|was|has\s+been|covers|writes|joined)\b.{0,160}?\b(?:reporter|writer|"
    r"correspondent|editor|columnist|journalist|contributor|author|producer|critic|photographer|fellow|"
    r"professor|analyst|intern|host|anchor)s?\b"
)
_Decision = tuple[str, str]  # (label, rule)
# Shapes that other stories share with an article's own prose ("Because ...", a bulleted list): they
# label a line only outside the article's blocks.
_SOFT = frozenset({"truncated_teaser", "headline_list"})
_PASSABLE = frozenset({"CAPTION", "CREDIT", "METADATA"})  # labelled lines that sit inside an article's margin


def detect_boilerplate(
    text: str,
    *,
    metadata_spans: Sequence[tuple[str, int, int]] = (),
    options: PreannotateOptions = DEFAULTS,
    repeated: Mapping[str, float] | None = None,
) -> list[Proposal]:
    """Boilerplate spans of one article, each with the rule that fired (see the module).

    ``metadata_spans`` are ingest's ``(field, start, end)``; ``repeated`` maps the normalised
    lines the article's source repeats to the share of its documents that print them.
    """
    metadata = {field: (start, end) for field, start, end in metadata_spans}
    proposals = [_metadata(text, *metadata[f], f) for f in ("outlet", "published") if f in metadata]
    protected = {metadata[f][0] for f in ("title", "dek") if f in metadata} | {p.start for p in proposals}
    covered = {p.start for p in proposals}
    lines = split_lines(text, options)
    rules = [None if _starts_in(line, protected) else _line_rule(line, repeated, options) for line in lines]
    labelled = [rule is not None for rule in rules]
    listed = headline_lists(lines, labelled, options)
    cued = cued_runs(listed, labelled)
    for index in listed:
        # A list that follows a labelled line ("More from UK") is a teaser list wherever it stands.
        rules[index] = ("RELATED", "cued_headline_list" if index in cued else "headline_list")
    hard = [rule is not None and rule[1] not in _SOFT for rule in rules]
    menus = menu_runs(lines, hard, options)
    classes = ["bad" if hard[line.index] or line.index in menus else line.cls for line in lines]
    # The headline ingest found, else the first line: a scraped page opens with its <title>.
    title = text[metadata["title"][0] : metadata["title"][1]] if "title" in metadata else lines[0].text if lines else ""
    labelled = [rule is not None for rule in rules]
    content = revise_classes(promote_prose_runs(lines, classes, labelled, options))
    blocks = find_blocks(lines, content, options, title=title, labelled=labelled)
    decisions = _decide(lines, rules, blocks, menus, options)
    related: list[tuple[int, int, str]] = []
    for line, decision in zip(lines, decisions, strict=True):
        if decision is None or _starts_in(line, protected | covered):
            continue
        if decision[0] == "RELATED":
            related.append((line.start, line.end, decision[1]))
        else:
            proposals.append(Proposal(decision[0], line.start, line.end, decision[1]))
    proposals.extend(_trailing_credit(text, lines, decisions, metadata.get("agency")))
    proposals.extend(_merge_related(text, related))
    return sorted(proposals, key=lambda p: (p.start, p.end))


def _starts_in(line: Line, starts: set[int]) -> bool:
    return any(line.start <= start < line.end for start in starts)


def _line_rule(line: Line, repeated: Mapping[str, float] | None, options: PreannotateOptions) -> _Decision | None:
    """A line rule's (label, name), else the repetition rule's, else None."""
    rule = classify_line(line.text, options)
    if rule is not None:
        return rule.label, rule.name
    share = repeated.get(normalize_line(line.text)) if repeated else None
    return ("NAVIGATION", f"repeated_line:{share:.2f}") if share is not None else None


def _decide(
    lines: Sequence[Line],
    rules: Sequence[_Decision | None],
    blocks: Sequence[Block],
    menus: set[int],
    options: PreannotateOptions,
) -> list[_Decision | None]:
    """Per line, the (label, rule) that makes it boilerplate, or None for article text."""
    where: list[Block | None] = [None] * len(lines)
    for block in blocks:
        for index in range(block.first, block.last + 1):
            where[index] = block
    main = next((b for b in blocks if b.kind == "main"), None)
    decisions: list[_Decision | None] = []
    for line, rule, owner in zip(lines, rules, where, strict=True):
        if rule is not None and not (rule[1] in _SOFT and owner is not None and owner.kind in ("main", "kept")):
            decisions.append(rule)
        elif owner is not None:
            decisions.append(_in_block(line, owner, main))
        else:
            near = line.index not in menus and _near_kept(line, where, rules, options.main_block_margin)
            decisions.append(None if near else _outside(line, main, line.index in menus, options))
    return decisions


_BLOCK_RULES = {"comments": ("NAVIGATION", "comment_thread"), "second_story": ("RELATED", "second_story")}


def _in_block(line: Line, block: Block, main: Block | None) -> _Decision | None:
    if block.kind in _BLOCK_RULES:
        return _BLOCK_RULES[block.kind]
    if block.kind == "off_topic":
        below = main is not None and line.index > main.last
        return ("RELATED" if below else "NAVIGATION"), "off_topic_block"
    if main is not None and line.index >= main.last - 1 and line.index > main.first and _BIO.match(line.text):
        return "CREDIT", "author_bio"
    return None


def _outside(line: Line, main: Block | None, in_menu: bool, options: PreannotateOptions) -> _Decision | None:
    """A line in no block and not near an article block: labelled by its shape."""
    if (main is None or line.cls == "good") and not in_menu:
        return None  # no article block found, or a long stop-word-dense paragraph: never lost on position alone
    if in_menu:
        return "NAVIGATION", "menu_run"
    if _DATE_LINE.search(line.text) and word_count(line.text, at_most=13) <= 12:
        return "METADATA", "date_line"
    if _BIO.match(line.text):
        return "CREDIT", "author_bio"
    below = main is not None and line.index > main.last
    headline = is_headline_shaped(line.text, min_words=3, max_words=options.headline_max_words)
    return ("RELATED" if below and (headline or line.is_prose) else "NAVIGATION"), "outside_main_block"


def _near_kept(line: Line, where: Sequence[Block | None], rules: Sequence[_Decision | None], margin: int) -> bool:
    """Whether a main or kept block lies within ``margin`` lines of ``line``, with no rule-labelled
    line (a widget, a "Related" heading) in between; for a prose line, across any of them."""
    index = line.index
    for step in (-1, 1):
        for other in range(index + step, index + step * (margin + 1), step):
            rule = rules[other] if 0 <= other < len(where) else ("", "")
            if rule is not None and rule[0] not in _PASSABLE and not (line.is_prose and rule[0]):
                break
            block = where[other]
            if block is not None and block.kind in ("main", "kept"):
                return True
    return False


def _metadata(text: str, start: int, end: int, field: str) -> Proposal:
    """A metadata value as a span: the whole line when it stands alone, else the value (with a
    leading 'date' keyword)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    lead = len(line) - len(line.lstrip())
    if text[line_start + lead : line_start + len(line.rstrip())] == text[start:end]:
        return Proposal("METADATA", start, end, f"metadata_{field}_line")
    prefix = re.match(r"\s*date\s+", line, re.IGNORECASE)
    if prefix is not None and line_start + prefix.end() == start:
        return Proposal("METADATA", line_start + lead, end, "metadata_date_prefix")
    return Proposal("METADATA", start, end, f"metadata_{field}")


def _trailing_credit(
    text: str, lines: Sequence[Line], decisions: Sequence[_Decision | None], agency: tuple[int, int] | None
) -> list[Proposal]:
    """The agency after an article paragraph's last sentence ('... said. REUTERS') as CREDIT."""
    if agency is None:
        return []
    for line, decision in zip(lines, decisions, strict=True):
        inside = line.start <= agency[0] < line.end and decision is None
        if inside and not is_credit_line(line.text) and find_credit(line.text) is not None:
            return [Proposal("CREDIT", agency[0], agency[1], "trailing_credit")]
    return []


def _merge_related(text: str, spans: list[tuple[int, int, str]]) -> list[Proposal]:
    """Runs of related-article lines (teasers, other stories) separated only by blank lines
    become one RELATED span; its rule names the rules of its lines."""
    merged: list[list[Any]] = []
    for start, end, rule in spans:
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1][1] = end
            merged[-1][2].add(rule)
        else:
            merged.append([start, end, {rule}])
    return [Proposal("RELATED", start, end, "+".join(sorted(rules))) for start, end, rules in merged]
