"""The card stage: the dataset card (README.md with Hub metadata, and its plots) of a build.

It comes after the manifest: the card is derived from the finished build's data files and
shows the manifest's fingerprint. ``context.options``: ``pretty_name`` and ``license_id``.
"""

from __future__ import annotations

from newsspan.dataset.stage import StageContext, StageReport

__all__ = ["CardStage"]


class CardStage:
    """Render the card from the build folder's own numbers."""

    name = "card"

    def run(self, context: StageContext) -> StageReport:
        from newsspan.cards.plots import PLOTS
        from newsspan.cards.render import LICENSE, write_card

        folder, given = context.folder, context.options
        path = write_card(
            folder.root,
            pretty_name=given.get("pretty_name", "newsspan corpus"),
            license_id=given.get("license_id", LICENSE),
        )
        files = (folder.relative(path), *(folder.relative(folder.plot(name)) for name in PLOTS.values()))
        card = folder.relative(path)
        return StageReport(self.name, {"card": card}, summary=(f"card: {card} and {len(PLOTS)} plots",), files=files)
