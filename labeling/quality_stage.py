"""The pre-annotation quality stage: the rules' proposals scored against the gold layer.

Written as ``quality.json`` (the pinned figures: boilerplate line F1, QUOTE overlap F1, speaker
accuracy; span overlap F1 per layer; the rules' version), for the card. The predictions scored
are the ones the build already has when they cover every document of the gold layer (the
export's prediction rows of this newsspan's rules version); otherwise the rules are run on the
documents. A build that converted no export has no gold layer: the stage says so and writes
nothing.

Memory follows a part of the corpus, not the corpus: a first pass over a few columns decides
which predictions to score (:mod:`newsspan.labeling.quality_parts`), the tables are split by
document (:mod:`newsspan.dataset.parts`) in a scratch folder, and each part is scored (the rules
run on it first when needed) into counts that add up to the figures of the whole corpus.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from newsspan.dataset.io import write_json
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.parts import PART_DOCUMENTS, split_by_document
from newsspan.dataset.schema import DOCUMENTS, RELATIONS, SPANS
from newsspan.dataset.stage import StageContext, StageReport, nothing_converted

if TYPE_CHECKING:
    from newsspan.labeling.score import Assessment

__all__ = ["QualityStage"]

NAME = "quality"


class QualityStage:
    """Score the pre-annotation rules in ``context.folder``, ``documents`` documents at a time."""

    name = NAME

    def __init__(self, *, documents: int = PART_DOCUMENTS) -> None:
        self.documents = documents

    def run(self, context: StageContext) -> StageReport:
        if nothing_converted(context):
            return StageReport(NAME, None, summary=("quality: no Label Studio export, no gold layer to score against",))
        folder = context.folder
        with tempfile.TemporaryDirectory(prefix=".quality-scratch-", dir=folder.root) as scratch:
            scored = _score_parts(folder, Path(scratch), self.documents)
        assessment, model_version, provenance = scored
        figures = assessment.figures()
        counts = {
            "model_version": model_version,
            "figures": figures,
            "layer_overlap_f1": assessment.layer_f1("overlap"),
            "article_loss": assessment.article_loss,
            # gold spans no annotator touched (accepted predictions) flatter the rules' figures
            "gold_provenance": dict(sorted(provenance.items())),
        }
        write_json(counts, folder.summary(NAME))
        shown = ", ".join(f"{k} {'–' if v is None else f'{v:.3f}'}" for k, v in figures.items())
        summary = [f"quality of the rules: {shown}"]
        accepted = provenance.get("prediction", 0)
        if accepted:
            summary.append(
                f"  {accepted} of {provenance.total()} gold spans are predictions no annotator changed: "
                "the figures above count them as right"
            )
        for flagged in assessment.article_loss["documents_over_flag"]:
            summary.append(f"  {flagged['doc_id']}: {flagged['share_lost']:.0%} of its article labelled boilerplate")
        return StageReport(NAME, counts, summary=tuple(summary), files=(folder.relative(folder.summary(NAME)),))


def _score_parts(folder: BuildFolder, scratch: Path, documents: int) -> tuple[Assessment, str | None, Counter[str]]:
    """The assessment of the whole corpus, the scored predictions' model version (None when there
    are none) and the gold spans per provenance, scored a part at a time."""
    import pyarrow.compute as pc

    from newsspan.dataset.preannotate import MODEL_VERSION
    from newsspan.labeling.quality_parts import RulesForParts, survey_corpus
    from newsspan.labeling.score import ScoreCounts

    corpus = survey_corpus(folder.table(SPANS), folder.table(DOCUMENTS), MODEL_VERSION)
    order = corpus.order()
    rules = None if corpus.use_existing else RulesForParts(corpus, order, documents, folder.table(DOCUMENTS))
    sources = {t.name: (folder.table(t), t) for t in (DOCUMENTS, SPANS, RELATIONS)}
    totals, provenance, predicted_any = ScoreCounts(), Counter[str](), corpus.use_existing
    for _, part in split_by_document(sources, order, scratch / "parts", documents=documents):
        spans, relations = part[SPANS.name], part[RELATIONS.name]
        gold, gold_relations = (t.filter(pc.equal(t["origin"], "gold")) for t in (spans, relations))
        if rules is None:
            predicted, predicted_relations = (
                t.filter(pc.and_(pc.equal(t["origin"], "prediction"), pc.equal(t["annotator"], MODEL_VERSION)))
                for t in (spans, relations)
            )
        else:
            predicted, predicted_relations = rules.predict(part[DOCUMENTS.name])
        texts = dict(zip(*(part[DOCUMENTS.name][c].to_pylist() for c in ("doc_id", "text")), strict=True))
        totals.add(texts, predicted, predicted_relations, gold, gold_relations)
        provenance.update(p or "unknown" for p in gold["provenance"].to_pylist())
        predicted_any = predicted_any or predicted.num_rows > 0
    return totals.assessment(), MODEL_VERSION if predicted_any else None, provenance
