"""The web-page steps of ingest: a page's HTML → its text, boilerplate regions and metadata.

``parse_pages`` runs after decoding (see :mod:`newsspan.dataset.ingest.html` for what a page
becomes); ``locate_page_metadata`` runs after metadata extraction and records where the page's
metadata values are printed in its text. Rows of text input pass through both unchanged (with
empty ``page_regions``).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from newsspan.dataset.ingest.html import PageRefusal, parse_page
from newsspan.dataset.ingest.rowsteps import Row, on_table, rows_of, table_of
from newsspan.dataset.records import Rejection

__all__ = ["locate_page_metadata", "locate_rows", "page_rows", "parse_pages"]

STAGE = "ingest"


def parse_pages(table: pa.Table, *, min_body_words: int) -> tuple[pa.Table, list[Rejection]]:
    """Web pages (``markup`` 'html') → their text, ``page_regions`` and the page's metadata as given
    fields (fields of the JSONL record win); refuse pages whose main content has fewer than
    ``min_body_words`` words. Text passes."""
    return on_table(lambda rows: page_rows(rows, min_words=min_body_words), table)


def page_rows(rows: list[Row], *, min_words: int = 0) -> tuple[list[Row], list[Rejection]]:
    kept: list[Row] = []
    rejected: list[Rejection] = []
    for row in rows:
        markup = row.pop("markup")
        row["page_regions"] = []
        if markup != "html":
            kept.append(row)
            continue
        given: dict[str, Any] = json.loads(row["fields"]) if row["fields"] else {}
        url = given.get("url")
        page = parse_page(row["text"], url=url if isinstance(url, str) else None, min_words=min_words)
        if isinstance(page, PageRefusal):
            detail = f"{row['source']}: {page.detail}"
            rejected.append(Rejection(row["source"], row["doc_id"], STAGE, page.reason, detail))
            continue
        row["text"] = page.text
        row["page_regions"] = [{"label": r.label, "start": r.start, "end": r.end, "rule": r.rule} for r in page.regions]
        row["fields"] = json.dumps(page.metadata | given, ensure_ascii=False)
        kept.append(row)
    return kept, rejected


def locate_page_metadata(table: pa.Table) -> pa.Table:
    """Where a page's metadata values stand in its text: a ``meta_spans`` entry for the title,
    author and outlet when the value is printed verbatim (a whole line for the title)."""
    rows = rows_of(table)
    locate_rows(rows)
    return table_of(rows)


def locate_rows(rows: list[Row]) -> None:
    for row in rows:
        if not row["page_regions"]:
            continue
        text, spans = row["text"], row["meta_spans"]
        known = {span["field"] for span in spans}
        for name in ("title", "author", "outlet"):
            value = row.get(name)
            if not value or name in known:
                continue
            at = _line_start(text, value) if name == "title" else text.find(value)
            if at >= 0:
                spans.append({"field": name, "start": at, "end": at + len(value)})


def _line_start(text: str, line: str) -> int:
    """Where ``line`` stands as a whole line of ``text``, or -1."""
    return ("\n" + text + "\n").find("\n" + line + "\n")
