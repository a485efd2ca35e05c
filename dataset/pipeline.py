"""The pipeline: the ordered stages of ``newsspan build``, declared once.

With the root CLI (which mounts their command groups), this is the only module of
``newsspan.dataset`` that imports upward (``labeling``, ``validation``, ``cards``): it assembles
the stages those packages define. A new stage is one
file with a class that has a ``name`` and ``run(context) -> StageReport``
(see :mod:`newsspan.dataset.stage`), and one line in :func:`build_stages` (a build from Label
Studio exports) or :func:`silver_stages` (``build --predictions-only``: the rules' proposals
published as they are).
"""

from __future__ import annotations

from newsspan.dataset.stage import Stage

__all__ = ["build_stages", "silver_stages"]


def build_stages() -> tuple[Stage, ...]:
    """The stages of a build, in order (imported here, so ``newsspan --help`` stays fast)."""
    from newsspan.cards.stage import CardStage
    from newsspan.dataset.hub.stage import DatasetStage
    from newsspan.dataset.ingest.stage import IngestStage
    from newsspan.dataset.manifest import ManifestStage
    from newsspan.labeling.agreement_stage import AgreementStage
    from newsspan.labeling.convert_stage import ConvertStage
    from newsspan.labeling.gold_stage import GoldStage
    from newsspan.labeling.quality_stage import QualityStage
    from newsspan.validation.stage import ValidationStage

    return (
        IngestStage(),  # articles -> documents, quarantine
        ConvertStage(),  # Label Studio exports -> converted annotation tables (kept under exports/)
        GoldStage(),  # the gold layer; the corpus annotation tables, written once
        AgreementStage(),  # inter-annotator agreement
        QualityStage(),  # the pre-annotation rules scored against gold
        ValidationStage(),  # the publish gate: a critical failure stops the build
        DatasetStage(),  # the Hugging Face configs and splits
        ManifestStage(),  # manifest.json from the reports above
        CardStage(),  # README.md (the card) and its plots, from the finished build
    )


def silver_stages() -> tuple[Stage, ...]:
    """The stages of a predictions-only (silver) build: the rules' proposals are the published
    layer; there is nothing to convert, adjudicate, compare or score."""
    from newsspan.cards.stage import CardStage
    from newsspan.dataset.hub.stage import DatasetStage
    from newsspan.dataset.ingest.stage import IngestStage
    from newsspan.dataset.manifest import ManifestStage
    from newsspan.dataset.preannotate import PreannotateStage
    from newsspan.validation.stage import ValidationStage

    return (
        IngestStage(),  # articles -> documents, quarantine
        PreannotateStage(),  # the rules' proposals: the annotation tables, origin = prediction
        ValidationStage(),  # the publish gate: a critical failure stops the build
        DatasetStage(),  # the Hugging Face configs and splits, of the predictions
        ManifestStage(),  # manifest.json from the reports above
        CardStage(),  # README.md: a card that says the layers are machine-made, and how good they are
    )
