"""The build folder's contract: every file a build folder holds, named once.

A build folder (``newsspan build``, or the folder of ``label convert`` / ``label gold`` /
``validate``) holds the corpus tables, each stage's reports, ``manifest.json``, the kept Label
Studio exports, the Hugging Face config folders, the card and its plots. Stages, the card,
publishing, the analyses and the CLIs reach those files through :class:`BuildFolder`; no other
module spells their names, so a change of layout is a change here.

The names are deliberately flat (``spans.parquet``, ``gold.md``, ``documents/train-...``): a build
folder is also a Hugging Face dataset repository, read by ``load_dataset`` as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from newsspan.dataset.schema import Table

__all__ = ["ALL", "REPORTS", "BuildFolder"]

ALL: Final = "*"  # in report tables (agreement, score): every annotator pair, every label of a layer

# Each stage's reports: (summary JSON, Markdown, extra table) beside the corpus tables.
REPORTS: Final = {
    "ingest": ("ingest.json", None, None),
    "preannotate": ("preannotate.json", None, None),
    "convert": ("convert.json", None, None),
    "gold": ("gold.json", "gold.md", "gold_conflicts.parquet"),
    "agreement": ("agreement.json", "agreement.md", "agreement.parquet"),
    "quality": ("quality.json", None, None),
    "score": ("score.json", "score.md", "score.parquet"),
    "validation": ("validation.json", "validation.md", None),
}
_SHARD = "00000-of-00001"  # one Parquet file per config and split, as push_to_hub names them


@dataclass(frozen=True, slots=True)
class BuildFolder:
    """The files of one build folder at ``root`` (which need not exist yet)."""

    root: Path

    def table(self, table: Table) -> Path:
        """A corpus table: ``documents.parquet``, ``spans.parquet``, ..."""
        return self.root / table.file_name

    def summary(self, stage: str) -> Path:
        """A stage's summary JSON (``gold.json``, ``validation.json``, ...)."""
        return self.root / self._report(stage, 0)

    def markdown(self, stage: str) -> Path:
        """A stage's Markdown report (``gold.md``, ``agreement.md``, ...)."""
        return self.root / self._report(stage, 1)

    def report_table(self, stage: str) -> Path:
        """A stage's own table (``gold_conflicts.parquet``, ``agreement.parquet``, ...)."""
        return self.root / self._report(stage, 2)

    @staticmethod
    def _report(stage: str, kind: int) -> str:
        name = REPORTS[stage][kind]
        if name is None:
            raise KeyError(f"stage {stage!r} writes no {('summary', 'Markdown report', 'table')[kind]}")
        return name

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def readme(self) -> Path:
        """The dataset card (Hub front matter and body)."""
        return self.root / "README.md"

    @property
    def plots(self) -> Path:
        return self.root / "plots"

    def plot(self, name: str) -> Path:
        return self.plots / f"{name}.png"

    @property
    def exports(self) -> Path:
        """The Label Studio exports the build was made from, kept as its provenance."""
        return self.root / "exports"

    def kept_export(self, number: int, source: Path) -> Path:
        return self.exports / f"{number:02d}-{source.name}"

    @property
    def gx_docs(self) -> Path:
        """Great Expectations Data Docs (``validate --data-docs``)."""
        return self.root / "gx-docs"

    def converted(self, number: int) -> Path:
        """Where the convert stage puts the tables of the ``number``-th export until the gold stage
        writes the corpus tables (a hidden folder: never part of a finished build)."""
        return self.root / f".convert-{number:02d}"

    def converted_parts(self) -> list[Path]:
        """The convert stage's parts, in export order (by number: ``-100`` after ``-99``)."""
        parts = [p for p in self.root.glob(".convert-*") if p.is_dir() and p.name[9:].isdigit()]
        return sorted(parts, key=lambda p: int(p.name[9:]))

    def config(self, name: str) -> Path:
        """A Hugging Face config's folder (``documents/``, ``ner/``, ...)."""
        return self.root / name

    def config_file(self, name: str, split: str) -> Path:
        return self.config(name) / f"{split}-{_SHARD}.parquet"

    def config_files(self, name: str) -> Iterator[Path]:
        return iter(sorted(self.config(name).glob("*.parquet")))

    @staticmethod
    def split_of(config_file: Path) -> str:
        """The split a config file holds (``train-00000-of-00001.parquet`` → ``train``)."""
        return config_file.stem.split("-")[0]

    def failed_validation(self) -> Path:
        """Where a build that failed the gate keeps its report: beside the (unchanged) output."""
        return self.root.parent / f"{self.root.name}.validation-failed.md"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def files(self) -> list[Path]:
        """Every file of the folder, sorted (for the manifest's fingerprint)."""
        return sorted(p for p in self.root.rglob("*") if p.is_file())
