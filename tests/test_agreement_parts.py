"""Agreement summed part by part: the accumulated nominal alpha against the krippendorff package,
and every figure of a corpus added in parts equal to the figures of the corpus in one batch."""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, LAYERS, SPANS, STANCE, STANCE_VALUES
from newsspan.dataset.stage import StageContext
from newsspan.labeling.agreement import Agreement, compute_agreement
from newsspan.labeling.alpha_nominal import Coincidences
from newsspan.labeling.unitizing_alpha import UnitizingAlpha


def _reliability_data(seed: int) -> np.ndarray:
    """Coders × units of category indexes, nan where a coder did not code the unit."""
    rng = np.random.default_rng(seed)
    coders, units, categories = int(rng.integers(2, 6)), int(rng.integers(5, 60)), int(rng.integers(2, 6))
    data = rng.integers(0, categories, size=(coders, units)).astype(float)
    data[rng.random((coders, units)) < 0.3] = np.nan
    return data


def _counts(data: np.ndarray, categories: int) -> np.ndarray:
    return np.stack([(data == c).sum(axis=0) for c in range(categories)], axis=1)


@pytest.mark.parametrize("seed", range(12), ids=lambda s: f"seed-{s}")
def test_accumulated_nominal_alpha_equals_the_krippendorff_package_whatever_the_batches(seed):
    import krippendorff

    data = _reliability_data(seed)
    categories = int(np.nanmax(data)) + 1
    tally = Coincidences(categories)
    for batch in np.array_split(np.arange(data.shape[1]), 3):  # units arrive in three batches
        tally.add(_counts(data[:, batch], categories))
    pairable = data[:, (~np.isnan(data)).sum(axis=0) >= 2]
    if len(np.unique(pairable[~np.isnan(pairable)])) < 2:
        assert tally.alpha() is None
        return
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert tally.alpha() == pytest.approx(expected, rel=1e-12)
    assert tally.units == pairable.shape[1]
    binary = tally.binary(0)  # category 0 against the rest
    if 0 < binary.totals[1] < binary.totals.sum():
        zero = np.where(np.isnan(data), np.nan, (data == 0).astype(float))
        expected = krippendorff.alpha(reliability_data=zero, level_of_measurement="nominal")
        assert binary.alpha() == pytest.approx(expected, rel=1e-12)


def test_coded_units_give_the_same_coincidences_as_their_category_counts():
    codes = np.array([[0, 1, 2, 2], [0, 2, 2, 1], [1, 1, 2, 0]])
    by_codes, by_counts = Coincidences(3), Coincidences(3)
    by_codes.add_codes(codes)
    by_counts.add(_counts(codes.astype(float), 3))
    assert by_codes.alpha() == by_counts.alpha()
    assert (by_codes.pairs[3] == by_counts.pairs[3]).all() and (by_codes.totals == by_counts.totals).all()


WHO = ("a@x.org", "b@x.org", "c@x.org", "d@x.org")


def _corpus(seed: int, documents: int = 24) -> tuple[dict[str, str], pa.Table, pa.Table, pa.Table]:
    """Random documents, each coded by two to four annotators (some by one: not compared), with
    spans of every layer, document stance and quote stance."""
    rng = random.Random(seed)
    texts, annotations, spans, stance = {}, [], [], []
    for d in range(documents):
        doc = f"d{d:03d}"
        texts[doc] = " ".join(rng.choice(["The", "minister", "said", "talks", "resume", ",", "."]) for _ in range(60))
        for who in rng.sample(WHO, rng.choice([1, 2, 2, 3, 4])):
            annotation = f"{doc}-{who}"
            annotations.append({"doc_id": doc, "annotation_id": annotation, "annotator": who, "origin": "human"})
            for r in range(rng.randint(0, 8)):
                layer = rng.choice(LAYERS)
                start = rng.randrange(0, len(texts[doc]) - 20)
                span = {"doc_id": doc, "annotation_id": annotation, "annotator": who, "origin": "human"}
                span |= {"region_id": f"r{r}", "layer": layer.name, "label": rng.choice(layer.label_names)}
                spans.append(span | {"start": start, "end": start + rng.randint(1, 20), "text": "x"})
                if layer.name == "quote":
                    row = {"doc_id": doc, "annotation_id": annotation, "annotator": who, "origin": "human"}
                    stance.append(row | {"scope": "quote", "region_id": f"r{r}", "value": rng.choice(STANCE_VALUES)})
            row = {"doc_id": doc, "annotation_id": annotation, "annotator": who, "origin": "human"}
            stance.append(row | {"scope": "document", "region_id": None, "value": rng.choice(STANCE_VALUES)})
    flags = {"cancelled": False, "ground_truth": False}
    return (
        texts,
        pa.Table.from_pylist([a | flags for a in annotations], schema=ANNOTATIONS.arrow_schema),
        pa.Table.from_pylist(spans, schema=SPANS.arrow_schema),
        pa.Table.from_pylist(stance, schema=STANCE.arrow_schema),
    )


def _figures(report):
    return report.table.to_pylist(), report.alpha, report.span_alpha, report.unitizing_alpha, report.documents


@pytest.mark.parametrize(("seed", "part"), [(1, 1), (2, 5), (3, 7)], ids=["one-document-parts", "five", "seven"])
def test_a_corpus_added_in_parts_gives_the_figures_of_the_corpus_at_once(seed, part):
    texts, annotations, spans, stance = _corpus(seed)
    whole = compute_agreement(annotations, spans, stance, texts=texts)
    agreement = Agreement()
    for first in range(0, len(texts), part):
        ids = pa.array(sorted(texts)[first : first + part])
        keep = [table.filter(pc.is_in(table["doc_id"], value_set=ids)) for table in (annotations, spans, stance)]
        agreement.add(*keep, {doc: texts[doc] for doc in ids.to_pylist()})
    parted = agreement.report()
    assert parted.annotators == list(WHO) and parted.provenance == whole.provenance
    for got, expected in zip(_figures(parted), _figures(whole), strict=True):
        assert _close(got, expected)


@pytest.mark.parametrize("seed", [4, 5], ids=lambda s: f"seed-{s}")
def test_unitizing_alpha_in_parts_equals_the_definition_over_the_joined_documents(seed):
    """α_U's continuum joins a group's documents, so a gap runs on across documents (and parts):
    each group's layer figure equals the 1995 definition over the joined continuum."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from test_unitizing_alpha import _brute_force
    finally:
        sys.path.pop(0)
    from newsspan.labeling.unitizing_alpha import _merge

    texts, annotations, spans, stance = _corpus(seed)
    agreement = Agreement()
    for doc in sorted(texts):  # one document per part
        keep = [table.filter(pc.equal(table["doc_id"], doc)) for table in (annotations, spans, stance)]
        agreement.add(*keep, {doc: texts[doc]})
    coders = {(a["doc_id"], a["annotator"]) for a in annotations.to_pylist()}
    rows = [r for r in agreement.report().unitizing_alpha if r["label"] == "*" and r["alpha"] is not None]
    assert any(len(r["annotators"]) == len(WHO) for r in rows), "the group of all annotators has a figure"
    for row in rows:
        documents = [d for d in sorted(texts) if all((d, who) in coders for who in row["annotators"])]
        offset = dict(zip(documents, itertools.accumulate((len(texts[d]) for d in documents), initial=0), strict=False))
        length = sum(len(texts[d]) for d in documents)
        observed = expected = 0.0
        layer = next(layer for layer in LAYERS if layer.name == row["layer"])
        for label in layer.label_names:
            raters = [
                _merge(
                    (offset[s["doc_id"]] + s["start"], offset[s["doc_id"]] + s["end"])
                    for s in spans.to_pylist()
                    if s["doc_id"] in offset and s["annotator"] == who and s["label"] == label
                )[0]
                for who in row["annotators"]
            ]
            if any(raters):
                d_o, d_e = _brute_force(raters, length)
                observed, expected = observed + d_o, expected + d_e
        assert (row["documents"], row["characters"]) == (len(documents), length)
        assert row["alpha"] == pytest.approx(1 - observed / expected, rel=1e-9)


def _close(got, expected) -> bool:
    """Equal, floats to 12 significant digits (coincidences summed in another order)."""
    if isinstance(got, float) and isinstance(expected, float):
        return got == pytest.approx(expected, rel=1e-12)
    if isinstance(got, dict):
        return got.keys() == expected.keys() and all(_close(got[k], expected[k]) for k in got)
    if isinstance(got, list):
        return len(got) == len(expected) and all(itertools.starmap(_close, zip(got, expected, strict=True)))
    return bool(got == expected)


def test_unitizing_alpha_refuses_documents_out_of_doc_id_order():
    tally = UnitizingAlpha()
    tally.add({"d2": "text"}, {"d2": {"a": [], "b": []}})
    with pytest.raises(ValueError, match="document 'd1' comes after 'd2': add documents in doc_id order"):
        tally.add({"d1": "text"}, {"d1": {"a": [], "b": []}})


def _reference_matches(a, b):
    """span_matches as first written: every pair sorted, largest overlap first."""
    pairs = sorted(
        ((min(x[1], y[1]) - max(x[0], y[0]), i, j) for i, x in enumerate(a) for j, y in enumerate(b)), reverse=True
    )
    used_a, used_b = set(), set()
    for overlap, i, j in pairs:
        if overlap > 0 and i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
    return len(set(a) & set(b)), len(used_a)


@pytest.mark.parametrize("seed", range(8), ids=lambda s: f"seed-{s}")
def test_span_matches_of_long_lists_equal_the_pairwise_definition(seed):
    from newsspan.labeling.agreement import span_matches

    rng = random.Random(seed)

    def spans():
        return [(s, s + rng.randint(1, 40)) for s in (rng.randrange(400) for _ in range(rng.randint(1, 40)))]

    a, b = spans(), spans()
    assert span_matches(a, b) == _reference_matches(a, b)


def _folder(root: Path, seed: int) -> tuple[BuildFolder, dict[str, str], tuple[pa.Table, pa.Table, pa.Table]]:
    """A folder holding a random corpus's tables (the documents table: ids and texts only)."""
    texts, annotations, spans, stance = _corpus(seed, documents=30)
    folder = BuildFolder(root)
    root.mkdir(exist_ok=True)
    for table, rows in ((ANNOTATIONS, annotations), (SPANS, spans), (STANCE, stance)):
        pq.write_table(rows, folder.table(table))
    pq.write_table(pa.table({"doc_id": list(texts), "text": list(texts.values())}), folder.table(DOCUMENTS))
    return folder, texts, (annotations, spans, stance)


@pytest.mark.parametrize("part", [1, 4, 1000], ids=["one-document", "four", "one-part"])
def test_the_stage_split_into_parts_gives_the_figures_of_one_batch(tmp_path, part):
    from newsspan.labeling.agreement_stage import agreement_by_parts

    folder, texts, tables = _folder(tmp_path, 6)
    parted = agreement_by_parts(folder, tmp_path / "scratch", documents=part)
    assert _close(_figures(parted), _figures(compute_agreement(*tables, texts=texts)))


def test_the_stage_removes_its_scratch_folder_also_when_it_fails(tmp_path, monkeypatch):
    from newsspan.labeling.agreement_stage import AgreementStage

    folder, _, _ = _folder(tmp_path / "corpus", 7)
    out = tmp_path / "reports"
    AgreementStage().run(StageContext(folder, options={"out": out}))
    assert sorted(p.name for p in out.iterdir()) == ["agreement.json", "agreement.md", "agreement.parquet"]

    def fail(*_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Agreement, "add", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        AgreementStage().run(StageContext(folder, options={"out": out}))
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no scratch folder left behind"


def test_the_stage_holds_at_most_a_part_of_documents_at_a_time(tmp_path, monkeypatch):
    """Memory follows the part: each part's tables hold only its documents, however many there are."""
    from newsspan.labeling.agreement_stage import agreement_by_parts

    folder, _, (annotations, _, _) = _folder(tmp_path, 8)
    compared = compute_agreement(annotations, SPANS.arrow_schema.empty_table(), STANCE.arrow_schema.empty_table())
    seen: list[set[str]] = []
    add = Agreement.add

    def record(self, annotations, spans, stance, texts):
        seen.append(set(annotations["doc_id"].to_pylist()) | set(spans["doc_id"].to_pylist()) | set(texts))
        add(self, annotations, spans, stance, texts)

    monkeypatch.setattr(Agreement, "add", record)
    agreement_by_parts(folder, tmp_path / "scratch", documents=3)
    assert max(len(documents) for documents in seen) <= 3
    assert sum(len(documents) for documents in seen) == compared.documents, "every compared document, once"
