"""Blocks: where the article is on a page of lines, and what stands around it.

jusText's context-sensitive step, over lines: a short line between two good lines is good (a
subheading, a one-line paragraph), a near-good line next to a good one is good, everything else
is bad. Good lines separated by at most ``block_max_gap`` other lines form a block; the
article's **main block** is the block with the most prose characters, among the blocks that do
not follow a "Related"/"Comments" cue and hold no comment headers. Before that, a run of
sentences (``prose_run_min``) is good whatever stands around it: plain text has no link density,
and a page of short paragraphs between captions would otherwise lose them. Other blocks are kept
when they speak of the main block's topic (an article split by a widget), and are boilerplate
when they are a comment thread or another story: off the article's words *and* shaped like a
story (a headline and its body, a teaser list, a related cue right above). An off-topic block
without that shape is boilerplate only when short or apart from the article: a topic shift alone
never labels a run of paragraphs. A second story inside the main block is split off the same
way; its reach is bounded (``second_story_max_lines``), and what names the page's headline is
never one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.lines import Line, LineClass, content_words, is_headline_shaped

__all__ = ["Block", "BlockKind", "find_blocks", "promote_prose_runs", "revise_classes", "topic_overlap"]

BlockKind = Literal["main", "kept", "comments", "second_story", "off_topic"]

_RELATED_CUE = re.compile(
    r"^(?:related(?:\s+\w+){0,2}|read\s+(?:more|next|also)|more\s+(?:from|on|stories|news|in)\b.*|"
    r"you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested\s+in)|recommended(?:\s+\w+){0,2}|"
    r"see\s+also|most\s+(?:read|popular|viewed|shared)|trending(?:\s+\w+)?|latest(?:\s+\w+){0,2}|"
    r"top\s+stories|editor['’]s\s+picks?|also\s+(?:on|in)\b.*|more\s+coverage|other\s+news|around\s+the\s+web)"
    r"[\s:.…]*$",
    re.IGNORECASE,
)
_COMMENT_CUE = re.compile(
    r"^[\[(]?\s*(?:\d+\s+)?(?:(?:top(?:\s+rated)?|all|reader|recent|newest|oldest|view\s+all|read\s+all)\s+)?"
    r"(?:comments?|responses?|replies|discussion|leave\s+a\s+(?:reply|comment)|"
    r"join\s+the\s+(?:conversation|discussion)|what\s+do\s+you\s+think\??|add\s+a\s+comment|"
    r"\d+\s+thoughts\s+on\b.*)[\s:.…\])]*$",
    re.IGNORECASE,
)
_COMMENT_HEADER = re.compile(
    r"^(?![—–-])[^.!?]{2,60}?\s+(?:on\s+)?(?:\w{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+\w{3,9}\s+\d{4}|\d{4}-\d\d-\d\d)"
    r"(?:,?\s+at\s+\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?)?\s*(?:said|says|wrote)?\s*:?$"
    r"|^[^.!?]{2,40}?\s+(?:says|said|wrote|commented)(?:\s+on)?\s*:$"
    r"|^(?:reply|log\s+in\s+to\s+reply|report\s+(?:abuse|comment)|(?:rating:\s*)?[-+]?\d+\s+(?:likes?|points?|replies|votes?))$",
    re.IGNORECASE,
)

_CUE_REACH = 10  # lines before a block in which a "Related"/"Comments" cue introduces it
# A cue makes a block another story only right above it (its headline, date and byline between):
# further up, the cue's own list stands between them.
_STORY_CUE_REACH = 4


@dataclass(slots=True)
class Block:
    """Lines ``[first, last]`` (indices into the non-blank lines) and what they are."""

    first: int
    last: int
    prose_chars: int
    kind: BlockKind = "kept"
    after: int = 0  # the first line after the previous block: cues are looked for from here


def promote_prose_runs(
    lines: Sequence[Line], classes: Sequence[LineClass], labelled: Sequence[bool], options: PreannotateOptions
) -> list[LineClass]:
    """Sentences in a run of ``prose_run_min`` or more, none ``labelled`` by a rule (a truncated
    teaser reads as a sentence too) and one near-good at least, are good.

    A page of short paragraphs (one or two sentences a line) has few jusText "good" lines, and its
    paragraphs stand between captions and links that jusText's context step would let demote them;
    several sentences in a row are an article's paragraphs, whatever stands around them.
    """
    revised = list(classes)
    run: list[int] = []
    for line in [*lines, None]:
        if line is not None and classes[line.index] != "bad" and line.sentence and not labelled[line.index]:
            run.append(line.index)
            continue
        if len(run) >= options.prose_run_min and any(lines[i].is_prose for i in run):
            revised[run[0] : run[-1] + 1] = ["good"] * len(run)
        run = []
    return revised


def revise_classes(classes: Sequence[LineClass]) -> list[bool]:
    """jusText's context-sensitive classification: whether each line is content (good)."""
    revised = list(classes)
    for i, cls in enumerate(classes):
        if cls != "short":
            continue
        prev, nxt = _neighbour(classes, i, -1, True), _neighbour(classes, i, 1, True)
        if prev == nxt == "good":
            revised[i] = "good"
        elif prev == "bad" and nxt == "bad":
            revised[i] = "bad"
        elif (prev == "bad" and _neighbour(classes, i, -1, False) == "near") or (
            nxt == "bad" and _neighbour(classes, i, 1, False) == "near"
        ):
            revised[i] = "good"
        else:
            revised[i] = "bad"
    final = list(revised)
    for i, cls in enumerate(revised):
        if cls == "near":
            prev, nxt = _neighbour(revised, i, -1, True), _neighbour(revised, i, 1, True)
            final[i] = "bad" if prev == nxt == "bad" else "good"
    return [cls == "good" for cls in final]


def _neighbour(classes: Sequence[LineClass], i: int, step: int, ignore_near: bool) -> LineClass:
    """The class of the nearest line in direction ``step`` that is not short (nor near-good)."""
    i += step
    while 0 <= i < len(classes):
        if classes[i] != "short" and not (ignore_near and classes[i] == "near"):
            return classes[i]
        i += step
    return "bad"


def topic_overlap(text: str, reference: set[str]) -> float:
    """Share of the content words of ``text`` that occur in ``reference`` (1.0 for no words)."""
    words = content_words(text)
    return len(words & reference) / len(words) if words else 1.0


def find_blocks(
    lines: Sequence[Line],
    content: Sequence[bool],
    options: PreannotateOptions,
    *,
    title: str = "",
    labelled: Sequence[bool] = (),
) -> list[Block]:
    """The blocks of content lines, the main one marked, the others judged (see the module).

    ``title`` is the page's headline: the main block is the one that speaks of it. ``labelled``
    says which lines a rule labelled (a widget, a caption, a "READ MORE:" link): those never open
    another story. Blocks are judged outward from the main one, so a block joined to a kept one
    continues the article too.
    """
    blocks = _group(lines, content, options)
    if not blocks:
        return []
    main = _main_block(lines, blocks, content_words(title), options)
    main.kind = "main"
    blocks = _split_second_story(lines, blocks, main, labelled, content_words(title), options)
    reference = content_words(" ".join(line.text for line in lines[main.first : main.last + 1]))
    at = blocks.index(main)
    for side in (blocks[at + 1 :], blocks[:at][::-1]):
        edge: Block | None = main
        for block in side:
            if block.kind == "kept":
                joined = edge is not None and _joined(lines, edge, block, title, options)
                block.kind = _judge(lines, block, reference, options, joined=joined, labelled=labelled)
            edge = block if edge is not None and block.kind == "kept" else None
            if block.kind in ("second_story", "off_topic", "comments"):
                _take_header(lines, block, options)
    return blocks


def _joined(lines: Sequence[Line], edge: Block, block: Block, title: str, options: PreannotateOptions) -> bool:
    """Whether only a few lines (a table, a list, an ad slot) stand between two blocks, and not
    the page's headline: what stands above the headline is not its article."""
    first, last = (edge.last + 1, block.first) if block.first > edge.last else (block.last + 1, edge.first)
    headline = title.strip()
    return last - first <= options.block_join_max_gap and not (
        headline and any(line.words >= 3 and line.text in headline for line in lines[first:last])
    )


def _take_header(lines: Sequence[Line], block: Block, options: PreannotateOptions) -> None:
    """Extend a block that is not the article over the headline, outlet and time lines above it."""
    while block.first > block.after and block.first - 1 >= 0:
        line = lines[block.first - 1]
        headline = is_headline_shaped(line.text, min_words=1, max_words=options.headline_max_words)
        if line.is_prose or not headline:
            return
        block.first -= 1


def _group(lines: Sequence[Line], content: Sequence[bool], options: PreannotateOptions) -> list[Block]:
    blocks: list[Block] = []
    for line, good in zip(lines, content, strict=True):
        if not good:
            continue
        chars = len(line.text) if line.is_prose else 0
        if blocks and line.index - blocks[-1].last - 1 <= options.block_max_gap:
            blocks[-1].last, blocks[-1].prose_chars = line.index, blocks[-1].prose_chars + chars
        else:
            blocks.append(Block(line.index, line.index, chars, after=blocks[-1].last + 1 if blocks else 0))
    return blocks


def _cued(lines: Sequence[Line], block: Block, pattern: re.Pattern[str], reach: int) -> bool:
    """Whether a cue line stands in the ``reach`` lines before the block, after the previous one."""
    start = max(0, block.first - reach, block.after)
    return any(pattern.match(line.text) for line in lines[start : block.first])


def _comment_headers(lines: Sequence[Line], block: Block) -> int:
    return sum(1 for line in lines[block.first : block.last + 1] if _COMMENT_HEADER.match(line.text))


def _main_block(lines: Sequence[Line], blocks: list[Block], title: set[str], options: PreannotateOptions) -> Block:
    """The block with the most prose, weighted by how much of the title it names, among the
    blocks that follow no related or comment cue and hold no comment headers."""
    eligible = [
        b
        for b in blocks
        if b.prose_chars and not _cued(lines, b, _COMMENT_CUE, _CUE_REACH) and _comment_headers(lines, b) < 2
    ]

    def score(block: Block) -> float:
        # A "Related" cue above a block halves its weight: only halves, as articles print them too.
        weight = 0.5 if _cued(lines, block, _RELATED_CUE, _CUE_REACH) else 1.0
        if title:
            text = " ".join(line.text for line in lines[block.first : block.last + 1])
            weight *= 1 + options.title_weight * len(content_words(text) & title) / len(title)
        return block.prose_chars * weight

    return max(eligible or blocks, key=score)


def _judge(
    lines: Sequence[Line],
    block: Block,
    reference: set[str],
    options: PreannotateOptions,
    *,
    joined: bool,
    labelled: Sequence[bool],
) -> BlockKind:
    """A block outside the main one: a comment thread, another story, off-topic prose, or kept.

    Few words shared with the article is one signal only: a block is another story when it also
    has a story's shape (a headline and its body, a teaser list) or a "Related" cue right above
    it, and off-topic prose when it is short, mostly not prose (a list of headlines), or stands
    apart from the article (``joined`` is False: a long gap or the page's headline between); a
    run of paragraphs joined to it is kept. A labelled headline above the block (the last item
    of a teaser list) does not open it.
    """
    if _cued(lines, block, _COMMENT_CUE, _CUE_REACH) or _comment_headers(lines, block) >= 2:
        return "comments"
    prose = [line for line in lines[block.first : block.last + 1] if line.is_prose]
    # The topic of a block is its prose: headlines of other stories in it are the teasers' words.
    if topic_overlap(" ".join(line.text for line in prose), reference) >= options.topic_min_overlap:
        return "kept"
    # A story's shape: the block opens with a headline and its body, or holds several (a teaser
    # list); one headline-shaped line inside it is a subheading, and a labelled one a caption.
    heads = [i for i in (block.first - 1, block.first) if i >= 0 and not _at(labelled, i)]
    opens = any(_opens_story(lines, i, options) for i in heads)
    starts = sum(
        1 for i in range(block.first, block.last + 1) if not _at(labelled, i) and _opens_story(lines, i, options)
    )
    # The cue is looked for above the block's prose: headlines of a teaser list are the cue's own.
    body = Block(prose[0].index if prose else block.first, block.last, 0, after=block.after)
    if opens or starts >= 2 or _cued(lines, body, _RELATED_CUE, _STORY_CUE_REACH):
        return "second_story"
    # A list of headlines, a few of them sentence-like, is no paragraph: most of its text is not prose.
    chars = sum(len(line.text) for line in lines[block.first : block.last + 1])
    paragraphs = 2 * sum(len(line.text) for line in prose) >= chars
    return "kept" if joined and paragraphs and len(prose) >= options.off_topic_keep_lines else "off_topic"


def _at(labelled: Sequence[bool], index: int) -> bool:
    return index < len(labelled) and labelled[index]


def _opens_story(lines: Sequence[Line], index: int, options: PreannotateOptions) -> bool:
    """A headline-shaped line followed by a prose line: the shape of a story's start."""
    headline = lines[index].text
    shaped = is_headline_shaped(headline, min_words=options.headline_min_words, max_words=options.headline_max_words)
    # A line that holds a sentence break ("Thanks for watching! Visit Website") is no headline.
    return shaped and not lines[index].sentence and index + 1 < len(lines) and lines[index + 1].is_prose


def _prose_chars(lines: Sequence[Line]) -> int:
    return sum(len(line.text) for line in lines if line.is_prose)


def _split_second_story(
    lines: Sequence[Line],
    blocks: list[Block],
    main: Block,
    labelled: Sequence[bool],
    title: set[str],
    options: PreannotateOptions,
) -> list[Block]:
    """Cut another story off the end of the main block: its last headline-and-body start, when
    what follows it is shorter than the article before it, ends the block within
    ``second_story_max_lines`` and does not use the article's words. A block with several such
    starts is one article in sections (a list, a guide), and is not cut."""
    starts = [i for i in range(main.first + 2, main.last) if _opens_story(lines, i, options) and not _at(labelled, i)]
    if len(starts) != 1 or main.last - starts[0] >= options.second_story_max_lines:
        return blocks
    index = starts[0]
    before = content_words(" ".join(line.text for line in lines[main.first : index]))
    after = " ".join(line.text for line in lines[index : main.last + 1])
    named = len(content_words(after) & title)
    if named and 2 * named >= len(before & title):
        return blocks
    cue = any(_RELATED_CUE.match(line.text) for line in lines[max(main.first, index - 3) : index])
    limit = options.topic_min_overlap * (2 if cue else 1)
    chars = _prose_chars(lines[index : main.last + 1])
    if chars >= _prose_chars(lines[main.first : index]) or topic_overlap(after, before) >= limit:
        return blocks
    story = Block(index, main.last, chars, "second_story", after=index)
    main.last, main.prose_chars = index - 1, main.prose_chars - chars
    at = blocks.index(main) + 1
    return [*blocks[:at], story, *blocks[at:]]
