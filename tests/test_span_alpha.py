"""Token-wise Krippendorff's alpha for spans: units, values, and the coefficient checked against an
independent computation (the coincidence-matrix formula, written here) on a hand case and on
PolNeAR's multiply annotated articles (../shared/external/polnear-train)."""

from __future__ import annotations

import itertools
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from newsspan.labeling.agreement import compute_agreement
from newsspan.labeling.span_alpha import OUTSIDE, TOKEN, token_alpha, token_values

POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "external" / "polnear-train"


def nominal_alpha(units: list[list[str]]) -> float:
    """Krippendorff's nominal alpha from the coincidence matrix; each unit lists the values it got."""
    coincidences: Counter[tuple[str, str]] = Counter()
    for values in (u for u in units if len(u) >= 2):
        for a, b in itertools.permutations(range(len(values)), 2):
            coincidences[values[a], values[b]] += 1 / (len(values) - 1)
    totals: Counter[str] = Counter()
    for (c, _), weight in coincidences.items():
        totals[c] += weight
    n = sum(totals.values())
    observed = sum(w for (c, k), w in coincidences.items() if c != k) / n
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n * (n - 1))
    return 1 - observed / expected


def test_a_token_takes_the_label_of_the_span_covering_it_and_o_elsewhere():
    text = "Foreign Minister Lavrov said: peace."
    starts = [m.start() for m in TOKEN.finditer(text)]
    assert [text[s : s + 1] for s in starts] == ["F", "M", "L", "s", ":", "p", "."], "words and punctuation"
    values = token_values(starts, [("SPEAKER", 0, 23), ("CUE", 24, 28)])
    assert values == ["SPEAKER", "SPEAKER", "SPEAKER", "CUE", OUTSIDE, OUTSIDE, OUTSIDE]


def test_token_alpha_equals_the_coincidence_formula_on_a_hand_case():
    text = "the minister said that the talks would resume on monday in geneva"
    coded = {
        "d1": {
            "a": [("quote", "SPEAKER", 0, 12), ("quote", "CUE", 13, 17), ("quote", "QUOTE", 23, 52)],
            "b": [("quote", "SPEAKER", 4, 12), ("quote", "CUE", 13, 17), ("quote", "QUOTE", 23, 66)],
        }
    }
    (row,) = [r for r in token_alpha({"d1": text}, coded) if (r["layer"], r["label"]) == ("quote", "*")]
    starts = [m.start() for m in TOKEN.finditer(text)]
    columns = [token_values(starts, [(lb, s, e) for _, lb, s, e in coded["d1"][who]]) for who in ("a", "b")]
    assert row["units"] == len(starts) == 12
    assert row["alpha"] == pytest.approx(nominal_alpha([list(u) for u in zip(*columns, strict=True)]))
    assert 0 < row["alpha"] < 1, "two boundary disagreements: below perfect, above chance"


def test_token_alpha_is_undefined_without_variation_and_says_why():
    coded = {"d1": {"a": [], "b": []}}
    (row,) = [r for r in token_alpha({"d1": "no quotes here"}, coded) if (r["layer"], r["label"]) == ("quote", "*")]
    assert row["alpha"] is None and "without variation" in row["note"]


def _polnear(compartment: str):
    if not POLNEAR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the development sets are missing: {POLNEAR} must sit beside the repository in CI")
        pytest.skip(f"{POLNEAR} not found")
    sys.path.insert(0, str(Path(__file__).resolve().parent / "tools"))
    try:
        from polnear_tables import polnear_tables
    finally:
        sys.path.pop(0)
    return polnear_tables(POLNEAR, compartment)


@pytest.mark.parametrize(
    ("compartment", "pinned"),
    [("annotator-training", 0.8082), ("train", 0.7638)],
    ids=["annotator-training-6-annotators", "train-multiply-annotated"],
)
def test_polnear_token_alpha_matches_an_independent_computation_and_its_pinned_value(compartment, pinned):
    """PolNeAR publishes a token-wise alpha of 75.4% for the whole corpus (article set and
    tokenisation not published); here the quote layer (Source, Cue, Content as SPEAKER, CUE, QUOTE)
    over all annotators, hand-checked once and pinned."""
    texts, annotations, spans, stance = _polnear(compartment)
    report = compute_agreement(annotations, spans, stance, texts=texts)
    everyone = max(len(r["annotators"]) for r in report.span_alpha)
    (row,) = [
        r for r in report.span_alpha if (r["layer"], r["label"]) == ("quote", "*") and len(r["annotators"]) == everyone
    ]
    units: list[list[str]] = []
    by_doc: dict[str, dict[str, list[tuple[str, int, int]]]] = {}
    first = {}
    for a in sorted(annotations.to_pylist(), key=lambda a: a["annotation_id"]):
        first.setdefault((a["doc_id"], a["annotator"]), a["annotation_id"])
    for s in spans.to_pylist():
        if first.get((s["doc_id"], s["annotator"])) == s["annotation_id"]:
            by_doc.setdefault(s["doc_id"], {}).setdefault(s["annotator"], []).append((s["label"], s["start"], s["end"]))
    coders = {(a["doc_id"], a["annotator"]) for a in annotations.to_pylist()}
    for doc_id in sorted(texts):
        who = sorted(c for d, c in coders if d == doc_id)
        if len(who) < 2:
            continue
        starts = [m.start() for m in TOKEN.finditer(texts[doc_id])]
        columns = [token_values(starts, by_doc.get(doc_id, {}).get(c, [])) for c in who]
        units.extend(list(u) for u in zip(*columns, strict=True))
    assert row["units"] == len(units)
    assert row["alpha"] == pytest.approx(nominal_alpha(units), abs=1e-9), "the krippendorff package agrees"
    assert round(row["alpha"], 4) == pinned


def test_no_document_coded_twice_gives_no_rows():
    assert token_alpha({}, {}) == []
    assert token_alpha({"d1": "one coder"}, {"d1": {"a": []}}) == []


@pytest.mark.parametrize(
    ("compartment", "pinned"),
    [("annotator-training", 0.8254), ("train", 0.6978)],
    ids=["annotator-training-6-annotators", "train-multiply-annotated"],
)
def test_polnear_unitizing_alpha_matches_the_brute_force_definition_and_its_pinned_value(compartment, pinned):
    """α_U of the quote layer over the documents all annotators coded: the module's figure equals
    the 1995 definition written out (every segment pair, every unit-gap pair) in
    tests/test_unitizing_alpha.py, and is pinned (PolNeAR publishes no α_U)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from test_unitizing_alpha import _brute_force
    finally:
        sys.path.pop(0)
    from newsspan.labeling.unitizing_alpha import _merge

    texts, annotations, spans, stance = _polnear(compartment)
    report = compute_agreement(annotations, spans, stance, texts=texts)
    everyone = max(len(r["annotators"]) for r in report.unitizing_alpha)
    (row,) = [
        r
        for r in report.unitizing_alpha
        if (r["layer"], r["label"]) == ("quote", "*") and len(r["annotators"]) == everyone
    ]
    first: dict[tuple[str, str], str] = {}
    for a in sorted(annotations.to_pylist(), key=lambda a: a["annotation_id"]):
        first.setdefault((a["doc_id"], a["annotator"]), a["annotation_id"])
    documents = sorted(d for d in texts if all((d, who) in first for who in row["annotators"]))
    offset = dict(zip(documents, itertools.accumulate((len(texts[d]) for d in documents), initial=0), strict=False))
    length = sum(len(texts[d]) for d in documents)
    observed = expected = 0.0
    for label in ("QUOTE", "SPEAKER", "CUE"):
        raters = [
            _merge(
                (offset[s["doc_id"]] + s["start"], offset[s["doc_id"]] + s["end"])
                for s in spans.to_pylist()
                if s["doc_id"] in offset and s["label"] == label and first[(s["doc_id"], who)] == s["annotation_id"]
            )[0]
            for who in row["annotators"]
        ]
        d_o, d_e = _brute_force(raters, length)
        observed, expected = observed + d_o, expected + d_e
    assert (row["documents"], row["characters"]) == (len(documents), length)
    assert row["alpha"] == pytest.approx(1 - observed / expected, abs=1e-9)
    assert round(row["alpha"], 4) == pinned
