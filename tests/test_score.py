"""Scoring on a tiny hand-checked case."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsspan.dataset.schema import RELATIONS, SPANS
from newsspan.labeling.score import boilerplate_line_f1, gold_side, score_predictions, speaker_attribution

TEXT = "Body line one is here.\nJoin our channel for updates.\nComments\nBody line two.\nMore text."


def _spans(origin: str, rows: list[tuple[str, str, str, int, int]]) -> pa.Table:
    base = {"doc_id": "d", "annotation_id": origin, "annotator": origin, "origin": origin}
    return pa.Table.from_pylist(
        [
            base | {"region_id": r, "layer": layer, "label": label, "start": s, "end": e, "text": TEXT[s:e]}
            for r, layer, label, s, e in rows
        ],
        schema=SPANS.arrow_schema,
    )


def _relations(origin: str, rows: list[tuple[str, str]]) -> pa.Table:
    base = {"doc_id": "d", "annotation_id": origin, "annotator": origin, "origin": origin}
    return pa.Table.from_pylist(
        [base | {"relation": "said_by", "from_region_id": a, "to_region_id": b} for a, b in rows],
        schema=RELATIONS.arrow_schema,
    )


GOLD = _spans(
    "gold",
    [
        ("g1", "boilerplate", "PROMO", 23, 53),
        ("g2", "boilerplate", "NAVIGATION", 54, 62),
        ("q1", "quote", "QUOTE", 0, 9),
        ("s1", "quote", "SPEAKER", 10, 13),
        ("q2", "quote", "QUOTE", 63, 72),
        ("s2", "quote", "SPEAKER", 73, 77),
    ],
)
PRED = _spans(
    "prediction",
    [
        ("p1", "boilerplate", "PROMO", 23, 53),
        ("p2", "boilerplate", "PROMO", 63, 77),
        ("p3", "quote", "QUOTE", 0, 8),
        ("p4", "quote", "SPEAKER", 10, 14),
        ("p5", "quote", "QUOTE", 63, 72),
        ("p6", "quote", "SPEAKER", 0, 4),
    ],
)


def test_span_scores_exact_and_overlap():
    rows = {(r["layer"], r["label"]): r for r in score_predictions(PRED, GOLD).to_pylist()}
    promo = rows[("boilerplate", "PROMO")]  # gold 1, predicted 2, one exact match
    assert (promo["exact_precision"], promo["exact_recall"], promo["exact_f1"]) == (0.5, 1.0, pytest.approx(2 / 3))
    quote = rows[("quote", "QUOTE")]  # (0,8) overlaps (0,9) but is not exact
    assert (quote["exact_f1"], quote["overlap_f1"]) == (0.5, 1.0)
    assert rows[("boilerplate", "NAVIGATION")]["exact_recall"] == 0.0


def test_boilerplate_line_f1():
    # lines: body, promo, nav, body, more: gold marks lines 2-3, prediction lines 2 and 4 -> tp 1, fp 1, fn 1
    assert boilerplate_line_f1({"d": TEXT}, PRED, GOLD) == pytest.approx(0.5)


def test_speaker_attribution():
    result = speaker_attribution(
        PRED,
        _relations("prediction", [("p3", "p4"), ("p5", "p6")]),
        GOLD,
        _relations("gold", [("q1", "s1"), ("q2", "s2")]),
    )
    assert result == {
        "gold_quotes_with_speaker": 2,
        "found": 2,
        "correct": 1,
        "speaker_accuracy": 0.5,
        "speaker_recall": 0.5,
    }


def test_gold_side_prefers_gold_then_the_first_human_annotation():
    human = _spans("human", [("h", "entity", "ORG", 0, 4)])
    assert gold_side(pa.concat_tables([human, GOLD])).column("origin").unique().to_pylist() == ["gold"]
    assert gold_side(human).num_rows == 1


def test_score_command_reports(runner, tmp_path):
    from newsspan.dataset.cli import cli

    out = tmp_path / "corpus"
    assert runner.invoke(cli, ["-q", "build", "--out", str(out)]).exit_code == 0
    pre = tmp_path / "pre"
    assert runner.invoke(cli, ["-q", "preannotate", str(out / "documents.parquet"), "--out", str(pre)]).exit_code == 0
    result = runner.invoke(cli, ["label", "score", str(pre), "--gold", str(out)])
    assert result.exit_code == 0, result.output
    assert "# Pre-annotation quality" in result.stdout and "| quote | QUOTE |" in result.stdout
    assert (pre / "score.json").is_file() and (pre / "score.parquet").is_file()


def test_article_loss_counts_article_characters_labelled_boilerplate_and_flags_the_document():
    from newsspan.labeling.score import article_loss

    # gold: lines 2 and 3 are boilerplate; predicted: line 3 and the whole of line 1 (22 characters)
    predicted = _spans(
        "prediction", [("p1", "boilerplate", "RELATED", 0, 22), ("p2", "boilerplate", "NAVIGATION", 54, 62)]
    )
    loss = article_loss({"d": TEXT}, predicted, GOLD)
    article = [c for i, c in enumerate(TEXT) if not (23 <= i < 53 or 54 <= i < 62) and not c.isspace()]  # GOLD's
    lost = [c for c in TEXT[0:22] if not c.isspace()]
    assert (loss["article_chars"], loss["article_chars_lost"]) == (len(article), len(lost))
    assert loss["documents_over_flag"] == [{"doc_id": "d", "share_lost": round(len(lost) / len(article), 4)}], (
        "a document that lost more than a fifth of its article must be flagged"
    )
    untouched = article_loss({"d": TEXT}, _spans("prediction", [("p2", "boilerplate", "NAVIGATION", 54, 62)]), GOLD)
    assert untouched["article_chars_lost"] == 0 and untouched["documents_over_flag"] == []


def test_score_can_leave_out_reference_spans_no_annotator_touched(runner, tmp_path):
    """A gold span that is an accepted prediction is right because it was proposed: with
    --exclude-accepted it leaves both sides, and the report says so."""
    import json

    import pyarrow.parquet as pq

    from newsspan.dataset.cli import cli

    out = tmp_path / "corpus"
    assert runner.invoke(cli, ["-q", "build", "--out", str(out)]).exit_code == 0
    pre = tmp_path / "pre"
    assert runner.invoke(cli, ["-q", "preannotate", str(out / "documents.parquet"), "--out", str(pre)]).exit_code == 0
    predicted = {
        (r["doc_id"], r["label"], r["start"], r["end"]) for r in pq.read_table(pre / "spans.parquet").to_pylist()
    }
    spans = pq.read_table(out / "spans.parquet")
    rows = spans.to_pylist()
    accepted = 0
    for row in rows:  # the gold spans the rules proposed exactly: mark them accepted unchanged
        if row["origin"] == "gold" and (row["doc_id"], row["label"], row["start"], row["end"]) in predicted:
            row["provenance"], accepted = "prediction", accepted + 1
    pq.write_table(pa.Table.from_pylist(rows, schema=spans.schema), out / "spans.parquet")
    counted = json.loads(runner.invoke(cli, ["label", "score", str(pre), "--gold", str(out), "--json"]).stdout)
    left_out = json.loads(
        runner.invoke(cli, ["label", "score", str(pre), "--gold", str(out), "--exclude-accepted", "--json"]).stdout
    )
    assert accepted and counted["reference_accepted_predictions"] == accepted
    assert (counted["excluded_accepted_predictions"], left_out["excluded_accepted_predictions"]) == (False, True)
    assert left_out["layers"]["quote"]["exact_f1"] < counted["layers"]["quote"]["exact_f1"], "no credit for echoes"


def _per_character(text: str, predicted: list[tuple[int, int]], gold: list[tuple[int, int]]) -> tuple:
    """Boilerplate line counts and article loss by their definition, one code point at a time."""

    def covered(start: int, end: int, regions: list[tuple[int, int]]) -> bool:
        visible = [i for i in range(start, end) if not text[i].isspace()]
        inside = sum(1 for i in visible if any(s <= i < e for s, e in regions))
        return bool(visible) and inside * 2 >= len(visible)

    tp = fp = fn = start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            is_gold, is_pred = covered(start, end, gold), covered(start, end, predicted)
            tp, fp, fn = tp + (is_gold and is_pred), fp + (is_pred and not is_gold), fn + (is_gold and not is_pred)
        start = end + 1
    article = [i for i, c in enumerate(text) if not c.isspace() and not any(s <= i < e for s, e in gold)]
    lost = sum(1 for i in article if any(s <= i < e for s, e in predicted))
    return (tp, fp, fn), len(article), lost


@given(
    text=st.text(alphabet=st.sampled_from("ab \n\t\r\x1c\x85\u00a0\u2028\u3000\ud800😀"), max_size=60),
    regions=st.lists(st.tuples(st.booleans(), st.integers(0, 70), st.integers(0, 20)), max_size=6),
)
@settings(max_examples=300, deadline=None)
def test_line_and_article_counts_follow_their_per_character_definition(text, regions):
    """Whitespace as ``str.isspace`` has it (NEL, line and ideographic spaces, separators; a lone
    surrogate is a code point like any other), regions past the end of the text clipped."""
    from newsspan.labeling.score import _article_counts, _line_counts

    sides = {"prediction": [], "gold": []}
    for is_gold, start, length in regions:
        sides["gold" if is_gold else "prediction"].append((start, min(start + length, len(text) + 5)))
    tables = {
        origin: _spans(origin, [(f"r{i}", "boilerplate", "PROMO", s, e) for i, (s, e) in enumerate(found)])
        for origin, found in sides.items()
    }
    gold = tables["gold"] if sides["gold"] else _spans("gold", [("q", "quote", "QUOTE", 0, 0)])
    lines, article, lost = _per_character(text, sides["prediction"], sides["gold"])
    assert _line_counts({"d": text}, tables["prediction"], gold) == lines
    assert _article_counts({"d": text}, tables["prediction"], gold)[:2] == (lost, article)
