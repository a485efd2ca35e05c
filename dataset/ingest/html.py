"""Web pages → article text with its boilerplate as labelled regions, and the page's metadata.

A page becomes ``documents.text`` the way a scraper's plain-text dump has it: every visible block
of the page (the ``<title>``, headings, paragraphs, list items, table cells, captions, menus,
footers) on its own line, whitespace collapsed, nothing dropped. What is not article body is not
cut: it becomes a :class:`Region` (a boilerplate label, ``[start, end)`` code points into the text
and the rule that decided it), which pre-annotation proposes as boilerplate spans.

Which blocks are the article is trafilatura's main-content decision (``bare_extraction``, the
best-scoring open extractor on the article-extraction benchmark), mapped back onto the blocks:
a block is article text when trafilatura kept it. The page's structure names what the rest is:
``<nav>`` and ARIA ``navigation``/``banner``/``contentinfo``/``search`` roles, ``<header>`` and
``<footer>`` outside the article, ``<aside>``/``complementary``, ``<figcaption>``, ``<form>``,
class and id words (``menu``, ``breadcrumb``, ``share``, ``cookie``, ``related``, ``newsletter``,
``byline``, ...) and the share of a block's characters inside links. The headline (``<h1>`` or the
metadata title) is never boilerplate.

Metadata comes from the same extraction (trafilatura reads JSON-LD, OpenGraph and ``<meta>``):
title, date, site name (the outlet), author, language (``<html lang>``) and the canonical URL.
A page without main content is not an article: :func:`parse_page` returns a refusal with its
reason, and ingest quarantines it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Final

from newsspan.dataset.ingest.normalize import Decoded, DecodeRefusal, decode_bytes, normalize_text

__all__ = ["Page", "PageRefusal", "Region", "decode_page", "parse_page"]

# Elements that start a new line of text (HTML's block-level and table/list elements).
_BLOCKS: Final = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog"),
        *("div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "li", "main", "nav", "ol", "option", "p", "pre", "section"),
        *("summary", "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul"),
    }
)
# Elements whose text is never shown.
_INVISIBLE: Final = frozenset(
    {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "head"}
)
_STRUCTURE: Final = {  # element (or ARIA role) -> the boilerplate label its text takes
    **dict.fromkeys(("nav", "navigation", "menu", "menubar", "search", "banner", "contentinfo", "form"), "NAVIGATION"),
    **dict.fromkeys(("aside", "complementary"), "RELATED"),
    "figcaption": "CAPTION",
}
# Class/id words and the label they name, most specific first.
_HINTS: Final = (
    (re.compile(r"caption|credit"), "CAPTION"),
    (re.compile(r"byline|author"), "CREDIT"),  # an author credit, as the text rules label bylines
    (re.compile(r"dateline|timestamp|published|posted|meta"), "METADATA"),
    (
        re.compile(r"newsletter|subscri|signup|sign-up|promo|paywall|membership|donat|advert|sponsor|\bads?\b"),
        "PROMO",
    ),
    (
        re.compile(r"related|recommend|more-?stories|trending|popular|most-?read|outbrain|taboola|teaser|sidebar"),
        "RELATED",
    ),
    (
        re.compile(
            r"nav|menu|breadcrumb|share|sharing|social|cookie|consent|gdpr|comment|footer|header|toolbar|"
            r"tags?\b|topics|pagination|login|search"
        ),
        "NAVIGATION",
    ),
)
_SPACE = re.compile(r"\s+")
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_LANGUAGE = re.compile(r"([A-Za-z]{2})(?:$|[-_])")  # <html lang="en-GB"> -> en (ISO 639-1)
_LINK_DENSE = 0.5  # a block mostly made of link text is a menu or a link list
_LINK_ONLY = 0.95  # a line that is all link text is a link, even inside the main content


@dataclass(frozen=True, slots=True)
class Region:
    """A boilerplate region of a page's text: label, ``[start, end)`` code points, the rule."""

    label: str
    start: int
    end: int
    rule: str


@dataclass(frozen=True, slots=True)
class Page:
    """A page's text (one visible block per line), its boilerplate regions and its metadata."""

    text: str
    regions: tuple[Region, ...]
    metadata: dict[str, str] = field(default_factory=dict)  # title, published, outlet, author, language, url


@dataclass(frozen=True, slots=True)
class PageRefusal:
    """Why a page is not an article; ``reason`` is a quarantine reason code."""

    reason: str
    detail: str


@dataclass(slots=True)
class _Block:
    """One line of the page's text as it is collected: pieces of text and where they stand."""

    context: _Context
    pieces: list[str] = field(default_factory=list)
    link_chars: int = 0

    def add(self, text: str, link: bool) -> None:
        self.pieces.append(text)
        if link:
            self.link_chars += len(text.strip())

    def text(self) -> str:
        return _SPACE.sub(" ", "".join(self.pieces)).strip()


@dataclass(frozen=True, slots=True)
class _Context:
    """What the nearest enclosing elements say about a block."""

    label: str | None = None  # from structure or hints, innermost wins
    why: str | None = None
    in_article: bool = False
    heading: bool = False  # an <h1>
    title: bool = False  # the document's <title>
    caption: bool = False
    link: bool = False  # inside an <a>


def decode_page(raw: bytes, *, fallback: str) -> Decoded | DecodeRefusal:
    """A page's bytes as text: UTF-8 (or a BOM) first, then the charset the page declares in a
    ``<meta>`` of its first 4 kB, then ingest's fallback (see :func:`decode_bytes`)."""
    import codecs

    if raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(raw, fallback=fallback)
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass  # not UTF-8: what the page declares
    declared = _CHARSET.search(raw[:4096])
    if declared is not None:
        try:
            name = codecs.lookup(declared[1].decode("ascii")).name
            return Decoded(raw.decode(name), name)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: the fallback decides
    return decode_bytes(raw, fallback=fallback)


def parse_page(html: str, *, url: str | None = None, min_words: int = 0) -> Page | PageRefusal:
    """The text, regions and metadata of one page (see the module docstring).

    A page whose article text (outside its regions, headline left out) has fewer than
    ``min_words`` words is refused: a front page, a gallery, an error page.
    """
    import lxml.html
    from lxml import etree

    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        return PageRefusal("invalid_html", f"the page cannot be parsed as HTML ({exc}); save the page again")
    blocks = [b for b in _collect_blocks(tree) if b.text()]
    if not blocks:
        return PageRefusal(
            "no_main_content",
            "the page has no visible text (or its elements nest deeper than the HTML parser's limit of "
            "256 levels); it is not an article",
        )
    extraction = _extract(html, url)
    if extraction is None:
        return PageRefusal(
            "no_main_content",
            "trafilatura found no main content on the page (a front page, a gallery or an error page); "
            "if it is an article, save its text as .txt instead",
        )
    main_text, metadata = extraction
    language = _LANGUAGE.match((tree.get("lang") or "").strip())
    if "language" not in metadata and language is not None:
        metadata["language"] = language[1].lower()
    page = _assemble(blocks, main_text, metadata)
    words = _article_words(page)
    if words < min_words:
        return PageRefusal(
            "no_main_content",
            f"the page's main content has {words} words of article text, fewer than ingest.min_body_words "
            f"({min_words}): a front page, a list of links or an error page; if it is an article, lower "
            "ingest.min_body_words in newsspan.toml",
        )
    return page


def _article_words(page: Page) -> int:
    covered = [(r.start, r.end) for r in page.regions]
    title = page.metadata.get("title")
    words, offset = 0, 0
    for line in page.text.split("\n"):
        if line != title and not any(start <= offset < end for start, end in covered):
            words += len(line.split())
        offset += len(line) + 1
    return words


def _extract(html: str, url: str | None) -> tuple[str, dict[str, str]] | None:
    """trafilatura's main text (whitespace collapsed per line) and metadata, or None."""
    from trafilatura import bare_extraction

    document: Any = bare_extraction(html, url=url, with_metadata=True, include_comments=False, fast=True)
    if document is None or not (document.text or "").strip():
        return None
    metadata = {
        "title": document.title,
        "published": document.date,
        "outlet": document.sitename,
        "author": document.author,
        "url": document.url,
        "language": document.language,
    }
    return document.text, {key: _SPACE.sub(" ", value).strip() for key, value in metadata.items() if value}


def _collect_blocks(tree: Any) -> list[_Block]:
    """Every visible block of ``tree`` in document order, with its context (one pass of
    ``iterwalk`` with a stack of contexts: no recursion, so deep pages cost what flat ones do)."""
    from lxml import etree

    title = tree.find(".//title")
    blocks: list[_Block] = []
    if title is not None and title.text:
        blocks.append(_Block(_Context(label="METADATA", why="html_title", title=True), [title.text]))
    body = tree.find("body")
    stack = [_Context()]
    current = _Block(stack[0])
    blocks.append(current)
    skipping: Any = None  # an invisible element whose subtree is being skipped
    events = ("start", "end", "comment", "pi")  # comments and instructions are invisible, their tails are not
    for event, element in etree.iterwalk(body if body is not None else tree, events=events):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event in ("comment", "pi"):
            if skipping is None:
                current = _tail(current, element, stack[-1])
            continue
        if skipping is not None:
            if event == "end" and element is skipping:
                skipping = None
                current = _tail(current, element, stack[-1])
            continue
        if event == "start":
            if tag in _INVISIBLE or not tag or _hidden(element):
                skipping = element
                continue
            context = _context_of(element, tag, stack[-1])
            stack.append(context)
            if tag in _BLOCKS:
                current = _Block(context)
                blocks.append(current)
            if element.text:
                current.add(element.text, context.link)
        else:
            stack.pop()
            if tag in _BLOCKS:
                current = _Block(stack[-1])
                blocks.append(current)
            current = _tail(current, element, stack[-1])
    return blocks


def _tail(current: _Block, element: Any, context: _Context) -> _Block:
    """The text after ``element``'s end tag belongs to the enclosing element's block."""
    if element.tail:
        current.add(element.tail, context.link)
    return current


def _hidden(element: Any) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    return element.get("hidden") is not None or element.get("aria-hidden") == "true" or "display:none" in style


_MARKED: Final = frozenset({"a", "article", "main", "header", "footer", "h1", "figcaption", *_STRUCTURE})


def _context_of(element: Any, tag: str, parent: _Context) -> _Context:
    """The context inside ``element``: the parent's, changed by what the element says (most
    elements say nothing, and then the parent's context object is shared)."""
    role, classes, ident = element.get("role"), element.get("class"), element.get("id")
    if tag not in _MARKED and not role and not classes and not ident:
        return parent
    if tag == "a":
        return replace(parent, link=True)
    role = (role or "").lower()
    in_article = parent.in_article or tag in ("article", "main") or role in ("main", "article")
    label, why = parent.label, parent.why
    structural = _STRUCTURE.get(role) or _STRUCTURE.get(tag)
    if tag in ("header", "footer") and not in_article:
        structural = "NAVIGATION"
    if structural is not None:
        label, why = structural, f"html_{role or tag}"
    elif classes or ident:
        hint = _hint(f"{classes or ''} {ident or ''}".lower())
        if hint is not None:
            label, why = hint, "html_class"
    heading, caption = parent.heading or tag == "h1", parent.caption or tag == "figcaption"
    return _Context(label, why, in_article, heading, parent.title, caption, parent.link)


@functools.lru_cache(maxsize=4096)  # pages repeat their class names; a site's pages share them
def _hint(words: str) -> str | None:
    """The boilerplate label that class and id words name, or None."""
    return next((name for pattern, name in _HINTS if pattern.search(words)), None)


def _assemble(blocks: list[_Block], main_text: str, metadata: dict[str, str]) -> Page:
    main_lines = set(_main_lines(main_text))
    main_flat = _SPACE.sub(" ", main_text)
    title = metadata.get("title")
    lines: list[str] = []
    regions: list[Region] = []
    offset = 0
    for block in blocks:
        line = normalize_text(block.text())
        if not line:
            continue
        decision = _decide(block, line, main_lines, main_flat, title)
        if decision is not None:
            regions.append(Region(decision[0], offset, offset + len(line), decision[1]))
        lines.append(line)
        offset += len(line) + 1
    return Page("\n".join(lines), tuple(_merge(regions)), metadata)


def _main_lines(main_text: str) -> Iterator[str]:
    """trafilatura's lines, whitespace collapsed; a table row (``| a | b |``) gives its cells."""
    for raw in main_text.split("\n"):
        line = _SPACE.sub(" ", raw).strip()
        if line.startswith("|") and line.endswith("|"):
            yield from (cell.strip() for cell in line.strip("|").split(" | "))
        else:
            yield line


def _decide(
    block: _Block, line: str, main_lines: set[str], main_flat: str, title: str | None
) -> tuple[str, str] | None:
    """(label, rule) for a boilerplate line, None for article text."""
    context = block.context
    if context.title:
        return "METADATA", "html_title"
    if context.heading or (title is not None and line == title):
        return None  # the headline
    if context.caption:
        return "CAPTION", "html_figcaption"
    return _by_main_content(block, line, main_lines, main_flat)


def _by_main_content(block: _Block, line: str, main_lines: set[str], main_flat: str) -> tuple[str, str] | None:
    """A line trafilatura kept is article text unless it is all link; the others are labelled by
    the structure around them, their link density and their length."""
    context = block.context
    words = len(line.split())
    if line in main_lines or (len(line) >= 40 and line in main_flat):  # trafilatura kept it
        if block.link_chars < _LINK_ONLY * len(line):
            return None
        return ("RELATED" if words >= 4 else "NAVIGATION"), "link_only"
    if context.label is not None:
        return context.label, f"{context.why}+outside_main"
    if block.link_chars >= _LINK_DENSE * len(line):
        return ("RELATED" if words >= 4 else "NAVIGATION"), "link_dense+outside_main"
    return ("NAVIGATION" if words < 8 else "RELATED"), "outside_main"


def _merge(regions: list[Region]) -> Iterator[Region]:
    """Adjacent regions (next line) with the same label become one; rules are joined."""
    pending: Region | None = None
    for region in regions:
        if pending is not None and pending.label == region.label and pending.end + 1 == region.start:
            rules = pending.rule if region.rule in pending.rule.split("|") else f"{pending.rule}|{region.rule}"
            pending = Region(pending.label, pending.start, region.end, rules)
            continue
        if pending is not None:
            yield pending
        pending = region
    if pending is not None:
        yield pending
