"""The ner config made by column (dataset/hub/ner.py) is the row-by-row loop it replaced.

The reference below is that loop, kept as the definition: sentences from ``Sentences(text).spans()``,
tokens from ``TOKEN.finditer`` on each sentence, entities tagged per sentence, outer first.
"""

from __future__ import annotations

import bisect
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsspan.dataset.heuristics.sentences import Sentences
from newsspan.dataset.hub.ner import TOKEN, NerColumns, sentence_starts, tokenize

# letters, digits, the marks the token rules treat apart, spaces of several kinds, line breaks,
# an astral emoji and a combining accent
ALPHABET = "aZé9_ .,'’-“”()!?\n\t\r\u00a0\u2028🐟\u0301"
PIECES = [*ALPHABET, "Dr.", "U.S.", "Mr. ", "n't", "e-mail", " The ", "said. He"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _reference(text: str, entities: list[dict], boiler: list[dict]) -> tuple[list[dict], int]:
    """The row-by-row ner of dataset/hub/rows.py before the columns (one document)."""
    entities = sorted(entities, key=lambda r: (r["start"], -r["end"]))
    rows, misaligned, sentence_id = [], 0, 0
    for begin, finish in Sentences(text).spans():
        sentence = text[begin:finish]
        if not sentence.strip() or any(b["start"] <= begin < b["end"] for b in boiler):
            continue
        tokens = [(t.start() + begin, t.end() + begin) for t in TOKEN.finditer(sentence)]
        if not tokens:
            continue
        tags = ["O"] * len(tokens)
        ends, starts = [e for _, e in tokens], [s for s, _ in tokens]
        low, high = tokens[0][0], tokens[-1][1]
        for entity in entities:
            if entity["end"] <= low or entity["start"] >= high:
                continue
            inside = list(range(bisect.bisect_right(ends, entity["start"]), bisect.bisect_left(starts, entity["end"])))
            if not inside or any(tags[i] != "O" for i in inside):
                continue
            first, last = tokens[inside[0]], tokens[inside[-1]]
            misaligned += first[0] != entity["start"] or last[1] != entity["end"]
            tags[inside[0]] = f"B-{entity['label']}"
            for i in inside[1:]:
                tags[i] = f"I-{entity['label']}"
        rows.append(
            {
                "sentence_id": sentence_id,
                "tokens": [text[s:e] for s, e in tokens],
                "ner_tags": tags,
                "token_starts": starts,
                "token_ends": ends,
            }
        )
        sentence_id += 1
    return rows, misaligned


@st.composite
def documents(draw):
    text = draw(texts)
    size = len(text)

    def span(label):
        start = draw(st.integers(-1, size + 1))
        return {"start": start, "end": draw(st.integers(start, size + 2)), "label": label}

    labels = st.sampled_from(["PERSON", "ORG", "GPE", "NOT_A_LABEL"])
    entities = [span(draw(labels)) for _ in range(draw(st.integers(0, 6)))]
    boiler = [span("NAV") for _ in range(draw(st.integers(0, 2)))]
    return text, entities, boiler


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, cuts=st.lists(st.integers(0, 60), max_size=5))
def test_tokens_are_the_regex_matches_inside_each_sentence(text, cuts):
    starts = sorted({0, *(c for c in cuts if c < len(text))})
    expected = [
        (match.start(), match.end())
        for begin, end in zip(starts, [*starts[1:], len(text)], strict=True)
        for match in TOKEN.finditer(text, begin, end)
    ]
    found_starts, found_ends = tokenize(text, starts)
    assert list(zip(found_starts.tolist(), found_ends.tolist(), strict=True)) == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(documents(), min_size=1, max_size=4))
def test_a_batch_of_documents_gets_the_rows_of_the_row_by_row_loop(batch):
    columns = NerColumns()
    expected, misaligned = [], 0
    for number, (text, entities, boiler) in enumerate(batch):
        columns.add(f"d{number}", text, entities, boiler)
        rows, count = _reference(text, entities, boiler)
        expected.extend({"doc_id": f"d{number}", **row} for row in rows)
        misaligned += count
    assert columns.table().to_pylist() == expected
    assert columns.misaligned == misaligned


@settings(max_examples=200, deadline=None)
@given(text=texts)
def test_sentences_found_a_line_at_a_time_are_those_of_the_whole_text(text):
    assert sentence_starts(text) == [start for start, _ in Sentences(text).spans()]


def test_whitespace_for_str_strip_is_whitespace_for_the_token_rules():
    # a sentence is left out when str.strip() leaves nothing, the columns when it has no token
    every = "".join(map(chr, range(0x110000)))
    assert re.findall(r"\s", every) == [c for c in every if c.isspace()]


@pytest.mark.parametrize(
    ("text", "entity", "tags", "misaligned"),
    [
        ("Ana Sol left.", (0, 7, "PERSON"), ["B-PERSON", "I-PERSON", "O", "O"], 0),
        ("Ana Sol left.", (1, 7, "PERSON"), ["B-PERSON", "I-PERSON", "O", "O"], 1),
        ("The e-mail's host", (4, 10, "ORG"), ["O", "B-ORG", "O", "O"], 0),
    ],
    ids=["aligned", "edge-inside-a-token", "hyphen-joins-clitic-splits"],
)
def test_an_entity_is_tagged_on_the_tokens_it_touches(text, entity, tags, misaligned):
    columns = NerColumns()
    start, end, label = entity
    columns.add("d", text, [{"start": start, "end": end, "label": label}], [])
    (row,) = columns.table().to_pylist()
    assert row["ner_tags"] == tags and columns.misaligned == misaligned, row["tokens"]


def test_nested_entities_keep_the_outer_one_and_boilerplate_sentences_are_left_out():
    text = "Bank of Ostrava opened.\nRead more news here."
    columns = NerColumns()
    outer, inner = {"start": 0, "end": 15, "label": "ORG"}, {"start": 8, "end": 15, "label": "GPE"}
    columns.add("d", text, [inner, outer], [{"start": 24, "end": len(text)}])
    (row,) = columns.table().to_pylist()
    assert row["tokens"] == ["Bank", "of", "Ostrava", "opened", "."]
    assert row["ner_tags"] == ["B-ORG", "I-ORG", "I-ORG", "O", "O"]
