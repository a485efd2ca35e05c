"""Krippendorff's unitizing alpha against the published example and a brute-force computation."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsspan.labeling.unitizing_alpha import category_disagreement, segments, unitizing_alpha

# Krippendorff (2004), "Measuring the reliability of qualitative text analysis data" (Quality &
# Quantity 38): two observers on a continuum of 300 positions from 150; category c and k units as
# (begin, length). Published there and in DKPro Agreement's tests: D_o(c) = 0.0144,
# D_e(c) = 0.0532, alpha_c = 0.7285 (0.7286 unrounded); D_o(k) = 0, D_e(k) = 0.0490, alpha_k = 1;
# both categories together 0.8587.
C = [[(225, 70), (370, 30)], [(220, 80), (355, 20), (400, 20)]]
K = [[(180, 60), (300, 50)], [(180, 60), (300, 50)]]


def _cuts(raters, begin=150, length=300):
    return [segments([(b, b + n) for b, n in units], begin, length) for units in raters]


def test_the_published_example():
    d_o_c, d_e_c = category_disagreement(_cuts(C), 300)
    d_o_k, d_e_k = category_disagreement(_cuts(K), 300)
    assert (round(d_o_c, 4), round(d_e_c, 4)) == (0.0144, 0.0532)
    assert (d_o_k, round(d_e_k, 4)) == (0.0, 0.0490)
    assert 1 - d_o_c / d_e_c == pytest.approx(0.7285, abs=1e-4)
    assert 1 - (d_o_c + d_o_k) / (d_e_c + d_e_k) == pytest.approx(0.8587, abs=1e-4)


def _brute_force(raters: list[list[tuple[int, int]]], length: int) -> tuple[float, float]:
    """The 1995 definitions written out: δ² over every pair of segments of two observers (not
    only the overlapping ones), and the expected disagreement's double sum over every unit and
    every gap, unit and gap lengths taken from all observers."""
    cuts = [segments(units, 0, length) for units in raters]
    m = len(cuts)

    def delta(g, h):
        (bg, lg, ug), (bh, lh, uh) = g, h
        if ug and uh and bg < bh + lh and bh < bg + lg:
            return (bg - bh) ** 2 + (bg + lg - bh - lh) ** 2
        if ug and not uh and bh <= bg and bg + lg <= bh + lh:
            return lg**2
        if uh and not ug and bg <= bh and bh + lh <= bg + lg:
            return lh**2
        return 0

    observed = sum(delta(g, h) for a, b in itertools.combinations(cuts, 2) for g in a for h in b)
    units = [n for cut in cuts for _, n, u in cut if u]
    gaps = [n for cut in cuts for _, n, u in cut if not u]
    expected = 0.0
    for n in units:
        expected += (len(units) - 1) / 3 * (2 * n**3 - 3 * n**2 + n)
        expected += n**2 * sum(g - n + 1 for g in gaps if g >= n)
    expected *= 2 / length / (m * length * (m * length - 1) - sum(n * (n - 1) for n in units))
    return 2 * observed / (m * (m - 1) * length**2), expected


@st.composite
def _raters(draw):
    length = draw(st.integers(20, 120))
    raters = []
    for _ in range(draw(st.integers(2, 4))):
        cuts = sorted(draw(st.sets(st.integers(1, length - 1), max_size=8)))
        bounds = [0, *cuts, length]
        pieces = list(itertools.pairwise(bounds))
        raters.append([p for p in pieces if draw(st.booleans())])  # some pieces are units, the rest gap
    return raters, length


@given(_raters())
def test_matches_the_brute_force_definition(case):
    raters, length = case
    fast = category_disagreement([segments(units, 0, length) for units in raters], length)
    assert fast == pytest.approx(_brute_force(raters, length))


def _coded(a, b):
    return {"d1": {"ann-a": a, "ann-b": b}}


TEXT = {"d1": "The minister said the plan was dead. Critics said it never lived."}


def test_identical_annotations_agree_perfectly_and_a_shifted_boundary_lowers_alpha():
    quote = ("quote", "QUOTE", 18, 35)
    same = unitizing_alpha(TEXT, _coded([quote], [quote]))
    row = next(r for r in same if r["layer"] == "quote" and r["label"] == "QUOTE")
    assert (row["alpha"], row["documents"], row["characters"]) == (1.0, 1, len(TEXT["d1"]))
    shifted = unitizing_alpha(TEXT, _coded([quote], [("quote", "QUOTE", 22, 35)]))
    lower = next(r for r in shifted if r["layer"] == "quote" and r["label"] == "QUOTE")["alpha"]
    missed = unitizing_alpha(TEXT, _coded([quote], [("quote", "QUOTE", 52, 64)]))
    lowest = next(r for r in missed if r["layer"] == "quote" and r["label"] == "QUOTE")["alpha"]
    assert 1.0 > lower > lowest


def test_a_layer_without_spans_is_undefined_with_the_reason_and_overlaps_are_merged_and_said():
    rows = unitizing_alpha(TEXT, _coded([("entity", "PERSON", 0, 12), ("entity", "PERSON", 4, 20)], []))
    boilerplate = next(r for r in rows if r["layer"] == "boilerplate" and r["label"] == "*")
    assert boilerplate["alpha"] is None and "no span of this layer" in boilerplate["note"]
    entity = next(r for r in rows if r["layer"] == "entity" and r["label"] == "*")
    assert entity["note"] == "1 overlapping span(s) of one label by one annotator merged"


def test_groups_use_only_the_documents_all_their_annotators_coded():
    texts = {"d1": TEXT["d1"], "d2": "Another short text."}
    coded = {"d1": {"a": [], "b": [], "c": []}, "d2": {"a": [], "b": []}}
    rows = [r for r in unitizing_alpha(texts, coded) if r["layer"] == "quote" and r["label"] == "*"]
    documents = {tuple(r["annotators"]): r["documents"] for r in rows}
    assert documents == {("a", "b"): 2, ("a", "c"): 1, ("b", "c"): 1, ("a", "b", "c"): 1}
