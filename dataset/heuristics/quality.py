"""The pre-annotation rules' measured quality: what a predictions-only build's card reports.

``measured_quality.json`` beside this module holds, for the rules of one model version, the figures
``benchmarks/extraction.py`` and ``benchmarks/attribution.py`` measured on the development sets
(written by their ``--record``). ``tests/test_external_quality.py`` measures them again and
checks they are the recorded ones, so the file cannot go stale when the rules change; a card
whose rules are of another version than the record says the quality was not measured.
"""

from __future__ import annotations

import importlib.resources
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from newsspan.dataset.io import write_json

__all__ = ["FIGURES", "SETS", "Measured", "measured_quality", "record_quality"]

# what each recorded figure measures, in the card's words
FIGURES: Final = {
    "body_f1_html": "article body F1 from the web pages (word 4-gram shingles, every page weighing the same)",
    "body_f1_text": "article body F1 from plain-text dumps of the same pages (boilerplate left as text)",
    "boilerplate_line_f1": "boilerplate line F1 on the plain-text dumps (a line is article when the body has it)",
    "quote_f1": "direct-quote F1 (a QUOTE matches a gold quote it covers at least half of)",
    "speaker_accuracy": "speaker accuracy on matched quotes (the SPEAKER, or the mention it refers to, "
    "overlaps the annotated source)",
    "cue_accuracy": "cue accuracy on matched quotes (the CUE overlaps the annotated cue)",
}
# the development sets, in the card's words
SETS: Final = {
    "aeb-dev": "91 news and blog web pages of the article extraction benchmark (scrapinghub, development "
    "half), with the article body its annotators extracted",
    "polnear-train": "840 US political news articles of PolNeAR's training compartment (7 publishers, "
    "2015-2016), with attributions by trained annotators",
}


@dataclass(frozen=True, slots=True)
class Measured:
    """One recorded figure: its set, name, value and what it measures."""

    set_name: str
    figure: str
    value: float

    @property
    def description(self) -> str:
        return FIGURES[self.figure]


def _file() -> Path:
    return Path(str(importlib.resources.files("newsspan.dataset.heuristics").joinpath("measured_quality.json")))


def measured_quality(model_version: str, *, path: Path | None = None) -> list[Measured]:
    """The figures recorded for ``model_version`` (its base version: ``+spacy:…`` suffixes are
    another pipeline, not measured), in set then figure order; empty when the record is of
    another version."""
    record: dict[str, Any] = json.loads((path or _file()).read_text(encoding="utf-8"))
    if record.get("model_version") != model_version:
        return []
    sets = record.get("sets", {})
    return [
        Measured(set_name, figure, float(sets[set_name][figure]))
        for set_name in SETS
        for figure in FIGURES
        if figure in sets.get(set_name, {})
    ]


def record_quality(path: Path, model_version: str, set_name: str, figures: dict[str, float]) -> None:
    """Write ``figures`` (rounded to 4 places) of ``set_name`` for ``model_version`` into the
    record at ``path``, keeping the other sets when the version is the same (atomically)."""
    if set_name not in SETS or not set(figures) <= set(FIGURES):
        raise ValueError(f"unknown set {set_name!r} or figures {sorted(set(figures) - set(FIGURES))}")
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if record.get("model_version") != model_version:
        record = {"model_version": model_version, "sets": {}}
    record["sets"][set_name] = {name: round(float(value), 4) for name, value in sorted(figures.items())}
    record["sets"] = dict(sorted(record["sets"].items()))
    write_json(record, path)
