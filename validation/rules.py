"""The validation rules, as data: one Great Expectations expectation each, with a stable rule id,
a description and a severity (``critical`` blocks publishing; ``warning`` is reported).

Value sets (layers, labels, origins, relations, stance values and scopes) come from
:mod:`newsspan.dataset.schema`. Cross-row and cross-table rules check helper columns that
:mod:`newsspan.validation.frames` computes with polars (``text_matches``, ``doc_id_repeated``, ...), so
every expectation is a built-in one. The suite files under ``validation/suites/`` are generated
from this module (``newsspan validate --write-suites``) and a test keeps the two identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from newsspan.dataset.schema import (
    LAYERS,
    ORIGINS,
    PROVENANCES,
    RELATION_TYPES,
    SOURCE_FORMATS,
    STANCE_SCOPES,
    STANCE_VALUES,
    all_labels,
)

__all__ = ["RULES", "SUITES", "Rule"]

Severity = Literal["critical", "warning"]


@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str
    suite: str  # "<frame>.<aspect>": the frame (see frames.py) and what the suite checks
    severity: Severity
    description: str
    expectation: str  # the GX expectation type
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def frame(self) -> str:
        return self.suite.split(".")[0]


def _in(column: str, values: Any, **extra: Any) -> dict[str, Any]:
    return {"column": column, "value_set": sorted(values)} | extra


_PROVENANCE_RULE = f"provenance is {', '.join(PROVENANCES)} (or null)"
# GX 1.9+ structured row condition (string conditions are deprecated): origin == "human"
_HUMAN = {"row_condition": {"column": {"name": "origin"}, "operator": "==", "parameter": "human", "type": "comparison"}}
_PRESENT = {"ignore_row_if": "either_value_is_missing"}

RULES: tuple[Rule, ...] = (
    # documents
    Rule("DOC-001", "documents.schema", "critical", "doc_id is unique", "expect_column_values_to_be_in_set",
         _in("doc_id_repeated", [False])),
    Rule("DOC-002", "documents.schema", "critical", "every document has text",
         "expect_column_value_lengths_to_be_between", {"column": "text", "min_value": 1}),
    Rule("DOC-003", "documents.schema", "warning", "publication dates are plausible (1900 to next year)",
         "expect_column_values_to_be_in_set", _in("published_plausible", [True])),
    Rule("DOC-004", "documents.schema", "critical", "source_format is known", "expect_column_values_to_be_in_set",
         _in("source_format", SOURCE_FORMATS)),
    # spans
    Rule("SPAN-001", "spans.schema", "critical", "layer is a schema layer", "expect_column_values_to_be_in_set",
         _in("layer", [layer.name for layer in LAYERS])),
    Rule("SPAN-002", "spans.schema", "critical", "label is a schema label", "expect_column_values_to_be_in_set",
         _in("label", all_labels())),
    Rule("SPAN-003", "spans.schema", "critical", "label belongs to the span's layer",
         "expect_column_pair_values_to_be_equal", {"column_A": "layer", "column_B": "layer_of_label"} | _PRESENT),
    Rule("SPAN-004", "spans.schema", "critical", "origin is human, prediction or gold",
         "expect_column_values_to_be_in_set", _in("origin", ORIGINS)),
    Rule("SPAN-005", "spans.schema", "critical", "start is not negative", "expect_column_values_to_be_in_set",
         _in("start_negative", [False])),
    Rule("SPAN-006", "spans.schema", "critical", "start < end", "expect_column_pair_values_a_to_be_greater_than_b",
         {"column_A": "end", "column_B": "start", "or_equal": False}),
    Rule("SPAN-007", "spans.schema", "warning", "human spans name their annotator",
         "expect_column_values_to_not_be_null", {"column": "annotator"} | _HUMAN),
    Rule("SPAN-008", "spans.schema", "critical", _PROVENANCE_RULE,
         "expect_column_values_to_be_in_set", _in("provenance", PROVENANCES)),
    Rule("SPAN-010", "spans.integrity", "critical", "the span's document exists", "expect_column_values_to_be_in_set",
         _in("doc_exists", [True])),
    Rule("SPAN-011", "spans.integrity", "critical", "end is within the document",
         "expect_column_pair_values_a_to_be_greater_than_b",
         {"column_A": "doc_length", "column_B": "end", "or_equal": True} | _PRESENT),
    Rule("SPAN-012", "spans.integrity", "critical", "text equals documents.text[start:end]",
         "expect_column_values_to_be_in_set", _in("text_matches", [True])),
    Rule("SPAN-013", "spans.integrity", "critical", "region ids are unique within an annotation",
         "expect_column_values_to_be_in_set", _in("region_repeated", [False])),
    Rule("SPAN-014", "spans.integrity", "warning", "no span is repeated within one annotation",
         "expect_column_values_to_be_in_set", _in("span_repeated", [False])),
    Rule("SPAN-015", "spans.integrity", "critical",
         "entity and quote spans do not cross a boilerplate boundary of their annotation",
         "expect_column_values_to_be_in_set", _in("crosses_boilerplate", [False])),
    # relations
    Rule("REL-001", "relations.integrity", "critical", "relation is a schema relation",
         "expect_column_values_to_be_in_set", _in("relation", [r.name for r in RELATION_TYPES])),
    Rule("REL-002", "relations.integrity", "critical", "the relation's source region exists in its annotation",
         "expect_column_values_to_be_in_set", _in("from_exists", [True])),
    Rule("REL-003", "relations.integrity", "critical", "the relation's target region exists in its annotation",
         "expect_column_values_to_be_in_set", _in("to_exists", [True])),
    Rule("REL-004", "relations.integrity", "critical", "the relation links the labels the schema names",
         "expect_column_values_to_be_in_set", _in("ends_match", [True])),
    Rule("REL-005", "relations.integrity", "critical", _PROVENANCE_RULE,
         "expect_column_values_to_be_in_set", _in("provenance", PROVENANCES)),
    # stance
    Rule("STANCE-001", "stance.schema", "critical", "stance value is a schema value",
         "expect_column_values_to_be_in_set", _in("value", STANCE_VALUES)),
    Rule("STANCE-002", "stance.schema", "critical", "scope is document or quote",
         "expect_column_values_to_be_in_set", _in("scope", STANCE_SCOPES)),
    Rule("STANCE-003", "stance.schema", "critical", "quote stance is attached to a QUOTE region of its annotation",
         "expect_column_values_to_be_in_set", _in("region_ok", [True])),
    Rule("STANCE-004", "stance.schema", "critical", _PROVENANCE_RULE,
         "expect_column_values_to_be_in_set", _in("provenance", PROVENANCES)),
    # annotations
    Rule("ANN-001", "annotations.schema", "critical", "annotation_id is unique", "expect_column_values_to_be_in_set",
         _in("annotation_id_repeated", [False])),
    Rule("ANN-002", "annotations.schema", "warning", "lead time is not negative",
         "expect_column_values_to_be_between", {"column": "lead_time", "min_value": 0}),
    # the gold layer
    Rule("GOLD-001", "gold_quotes.coverage", "warning", "every gold QUOTE has a said_by relation",
         "expect_column_values_to_be_in_set", _in("has_said_by", [True])),
    Rule("GOLD-002", "gold_documents.coverage", "warning", "every gold document has a document stance",
         "expect_column_values_to_be_in_set", _in("has_document_stance", [True])),
)  # fmt: skip

SUITES: tuple[str, ...] = tuple(dict.fromkeys(rule.suite for rule in RULES))
