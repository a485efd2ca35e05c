"""Why conversion quarantines something: the catalogue of reasons, each with its way out.

Every reason has a golden case under tests/data/exports/ (a test fails naming a reason without
one). :func:`rejection` makes a quarantine row of the convert stage with a typed reason, so a
reason outside the catalogue fails mypy.
"""

from __future__ import annotations

from typing import Literal, get_args

from newsspan.dataset.records import Rejection

__all__ = ["CONVERT_REASONS", "STAGE", "ConvertReason", "rejection"]

STAGE = "convert"

# Why conversion quarantines something, in the order conversion checks: what it means → the way out.
# Every reason has a golden case under tests/data/exports/ (a test fails naming a reason without one).
ConvertReason = Literal[
    # a whole task, with all its result items (labeling/tables.py)
    "invalid_task",  # not a task object, or its id/annotations/predictions of the wrong JSON type → export again
    "missing_text",  # data has no 'text' string → put the article in data.text
    "duplicate_task",  # a task id seen earlier in the export (the first is kept) → export once, or dedupe
    "unknown_document",  # doc_id not in --documents → pass the documents it was pushed from, or omit them
    "undecodable_text",  # text has a lone surrogate (no UTF-8 form, offsets shift) → fix the text, export again
    "text_changed",  # text differs from the document's → re-push and re-annotate, or use the old documents
    # a whole annotation (or prediction)
    "invalid_annotation",  # not an object, or its result not a list (no items counted) → fix it, export again
    "empty_annotation",  # submitted with no result (nothing else counted) → delete it, or skip the task
    # one result item
    "invalid_item",  # not a JSON object → fix the export (Label Studio never writes one)
    "unsupported_item",  # neither span, relation nor choice (e.g. textarea) → drop that tag from the config
    # a span region
    "label_count",  # not exactly one label → give the region one label
    "unknown_label",  # a label not in the schema (the detail lists the allowed) → relabel it
    "invalid_span",  # start/end not integers, or no region id → redraw the region
    # a span refused by newsspan.labeling.align.align_span (its AlignReason)
    "out_of_range",  # offsets outside the text → redraw the region
    "empty_span",  # start >= end → redraw the region
    "text_mismatch",  # the exported text is not at (or a few characters from) the offsets → fix, export again
    # a relation
    "unknown_relation",  # no label, or one not in the schema (the detail lists the allowed) → relabel it
    "relation_label_count",  # more than one label on one relation → keep the one it is (one label per relation)
    "relation_to_missing_region",  # an end is not a converted span of the annotation → fix that span first
    "relation_ends",  # the ends' labels are not the relation's (e.g. said_by must go QUOTE -> SPEAKER) → relink
    # a stance choice
    "unknown_choice",  # not exactly one stance value (the detail lists the allowed) → choose one
    "stance_without_region",  # on a region that is not a converted span → fix that span first
    "stance_on_non_quote",  # on a region that is not a QUOTE → put it on the quote
]
CONVERT_REASONS: tuple[ConvertReason, ...] = get_args(ConvertReason)


def rejection(source: str, doc_id: str | None, reason: ConvertReason, detail: str) -> Rejection:
    """A quarantine row of this stage (``reason`` typed, so a reason outside the catalogue fails mypy)."""
    return Rejection(source, doc_id, STAGE, reason, detail)
