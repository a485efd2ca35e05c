"""The pre-annotation quality stage: the rules' proposals scored against the gold layer.

Written as ``quality.json`` (the pinned figures: boilerplate line F1, QUOTE overlap F1, speaker
accuracy; span overlap F1 per layer; the rules' version), for the card. The predictions scored
are the ones the build already has when they cover every document of the gold layer (the
export's prediction rows of this newsspan's rules version); otherwise the rules are run on the
documents. A build that converted no export has no gold layer: the stage says so and writes
nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from newsspan.dataset.io import read_table, write_json
from newsspan.dataset.schema import DOCUMENTS, RELATIONS, SPANS
from newsspan.dataset.stage import StageContext, StageReport, nothing_converted

__all__ = ["QualityStage"]

NAME = "quality"


class QualityStage:
    """Score the pre-annotation rules in ``context.folder``."""

    name = NAME

    def run(self, context: StageContext) -> StageReport:
        import pyarrow.compute as pc

        from newsspan.labeling.score import assess_predictions

        if nothing_converted(context):
            return StageReport(NAME, None, summary=("quality: no Label Studio export, no gold layer to score against",))
        folder = context.folder
        spans = read_table(folder.table(SPANS), schema=SPANS)
        relations = read_table(folder.table(RELATIONS), schema=RELATIONS)
        gold, gold_relations = (t.filter(pc.equal(t["origin"], "gold")) for t in (spans, relations))
        documents = read_table(folder.table(DOCUMENTS), schema=DOCUMENTS)
        predicted, predicted_relations = _predictions(documents, spans, relations, gold)
        texts = dict(zip(documents["doc_id"].to_pylist(), documents["text"].to_pylist(), strict=True))
        assessment = assess_predictions(texts, predicted, predicted_relations, gold, gold_relations)
        figures = assessment.figures()
        provenance = dict(sorted(Counter(p or "unknown" for p in gold["provenance"].to_pylist()).items()))
        counts = {
            "model_version": predicted.column("annotator")[0].as_py() if predicted.num_rows else None,
            "figures": figures,
            "layer_overlap_f1": assessment.layer_f1("overlap"),
            "article_loss": assessment.article_loss,
            # gold spans no annotator touched (accepted predictions) flatter the rules' figures
            "gold_provenance": provenance,
        }
        write_json(counts, folder.summary(NAME))
        shown = ", ".join(f"{k} {'–' if v is None else f'{v:.3f}'}" for k, v in figures.items())
        summary = [f"quality of the rules: {shown}"]
        accepted = provenance.get("prediction", 0)
        if accepted:
            summary.append(
                f"  {accepted} of {gold.num_rows} gold spans are predictions no annotator changed: "
                "the figures above count them as right"
            )
        for flagged in assessment.article_loss["documents_over_flag"]:
            summary.append(f"  {flagged['doc_id']}: {flagged['share_lost']:.0%} of its article labelled boilerplate")
        return StageReport(NAME, counts, summary=tuple(summary), files=(folder.relative(folder.summary(NAME)),))


def _predictions(documents: Any, spans: Any, relations: Any, gold: Any) -> tuple[Any, Any]:
    """The prediction rows of this rules version already in the tables when they cover every gold
    document (a document without them would count as all misses), else the rules run now."""
    import pyarrow.compute as pc

    from newsspan.dataset.preannotate import MODEL_VERSION, preannotate_documents

    mine = [
        t.filter(pc.and_(pc.equal(t["origin"], "prediction"), pc.equal(t["annotator"], MODEL_VERSION)))
        for t in (spans, relations)
    ]
    covered = set(mine[0]["doc_id"].to_pylist())
    if covered and set(gold["doc_id"].to_pylist()) <= covered:
        return mine[0], mine[1]
    made = preannotate_documents(documents)
    return made.spans, made.relations
