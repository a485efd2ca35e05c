"""The dataset card: rendered from ``templates/card.md.j2`` and from the build's own numbers.

Every figure comes from the build folder (its tables, manifest, agreement, gold, quality and
validation reports), so the card cannot drift from the data. The front matter holds the Hub's
metadata (validated offline against ``hub_values.json``) above the generated ``configs`` and
``dataset_info``.
"""

from __future__ import annotations

import importlib.resources
import json
from collections import Counter
from pathlib import Path
from typing import Any

from newsspan.cards.facts import CorpusFacts, corpus_facts
from newsspan.cards.metadata import card_metadata, validate_metadata
from newsspan.cards.plots import render_plots
from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.hub.features import CONFIGS, DEFAULT_CONFIG, features_for
from newsspan.dataset.hub.splits import SPLITS
from newsspan.dataset.hub.writer import dataset_yaml, declared_splits
from newsspan.dataset.layout import ALL, BuildFolder
from newsspan.dataset.markdown import code, inline
from newsspan.dataset.schema import LAYERS, STANCE_VALUES

__all__ = ["render_card", "write_card"]

LICENSE = "cc-by-4.0"  # the annotations; the article texts stay their publishers'


def _json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else {}


def _rows(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist() if path.is_file() else []


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def write_card(root: Path, *, pretty_name: str = "newsspan corpus", license_id: str = LICENSE) -> Path:
    """Render the card into the build folder ``root`` (README.md with its plots); returns the path."""
    folder = BuildFolder(root)
    card, metadata, rows = render_card(root, pretty_name=pretty_name, license_id=license_id)
    problems = validate_metadata(metadata, rows=rows)
    if problems:
        raise NewsspanError("the card's metadata is not valid for the Hub: " + "; ".join(problems))
    import yaml

    front = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True) + dataset_yaml(declared_splits(folder))
    path = folder.readme
    path.write_text(f"---\n{front}---\n\n{card}", encoding="utf-8")
    return path


def render_card(root: Path, *, pretty_name: str, license_id: str) -> tuple[str, dict[str, Any], int]:
    """(card body, metadata, rows of the default config) for the build in ``root``."""
    import jinja2

    folder = BuildFolder(root)
    manifest = _json(folder.manifest)
    published = (manifest.get("dataset") or {}).get("published", "gold")
    silver = published == "prediction"  # a predictions-only build: the rules' proposals, not gold
    declared = declared_splits(folder)
    splits = declared.get(DEFAULT_CONFIG, [])  # the default config has every document: every split
    facts = corpus_facts(
        folder, split_of=_split_documents(folder, splits), default_split=(splits or SPLITS)[0], published=published
    )
    configs = [_config(folder, name, splits) for name in declared]
    plots = render_plots(
        folder,
        labels=facts.gold_labels,
        per_outlet=facts.gold_by_outlet,
        stance=facts.stance_by_outlet,
        kind="Predicted" if silver else "Gold",
    )
    # strings from the data (and the user's pretty name) are escaped here, once, for Markdown
    context = {
        "pretty_name": inline(pretty_name),
        "bibtex_title": _bibtex(pretty_name),
        "license": inline(license_id),
        "documents": facts.documents,
        "outlets": [
            (inline(name), count) for name, count in sorted(facts.outlets.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "agencies": sorted(inline(a) for a in facts.agencies),
        "date_range": inline(_dates(facts)),
        "languages": [inline(language) for language in facts.languages] or ["unknown"],
        "language_stated": facts.language_stated,
        "layer_labels": {layer.name: list(layer.label_names) for layer in LAYERS},
        "found_labels": {layer.name: [n for n in layer.label_names if facts.gold_labels[n]] for layer in LAYERS},
        "stance_values": list(STANCE_VALUES),
        "gold_spans": facts.gold_spans,
        "human_annotations": facts.human_annotations,
        "configs": configs,
        "undeclared": [code(name) for name in CONFIGS if name not in declared],
        "splits": splits,
        "plots": plots,
        "label_counts": _label_counts(facts.gold_by_split, splits),
        **_dataset_context(manifest),
        **_annotation_context(folder, facts),
        **_quality_context(folder),
        **_validation_context(folder),
        **_silver_context(folder, silver),
    }
    template = importlib.resources.files("newsspan.cards").joinpath("templates/card.md.j2").read_text(encoding="utf-8")
    body = jinja2.Environment(keep_trailing_newline=True, autoescape=False).from_string(template).render(**context)
    rows = next(c["rows"] for c in configs if c["name"] == DEFAULT_CONFIG)
    metadata = card_metadata(
        rows=rows,
        languages=facts.languages,
        license_id=license_id,
        pretty_name=pretty_name,
        machine_annotations=True,
        human_annotations=not silver,
    )
    return body, metadata, rows


def _bibtex(text: str) -> str:
    """A BibTeX field value: braces balanced away, special characters escaped, one line."""
    value = " ".join(text.split())
    for char in "\\{}":
        value = value.replace(char, "")
    for char in "&%$#_":
        value = value.replace(char, "\\" + char)
    return value


def _config(folder: BuildFolder, name: str, splits: list[str]) -> dict[str, Any]:
    """A config's fields, row counts per split of ``splits`` (from the Parquet footers; a split
    without a file has none) and its first row as the example.
    A footer takes memory in proportion to its row groups (so to the corpus), several times more
    in pyarrow than in polars: polars counts the rows, pyarrow reads the first row of the first
    file that has one, one file at a time."""
    import polars as pl
    import pyarrow.parquet as pq

    features = features_for(name)
    per_split = dict.fromkeys(splits, 0)
    first: dict[str, Any] | None = None
    for split, path in {folder.split_of(p): p for p in folder.config_files(name)}.items():
        per_split[split] = pl.scan_parquet(path).select(pl.len()).collect().item()
        if first is None and per_split[split]:
            with pq.ParquetFile(path) as file:
                first = _first_row(file)
    example = {k: (v[:80] + "…" if isinstance(v, str) and len(v) > 80 else v) for k, v in (first or {}).items()}
    for key, value in example.items():
        if isinstance(value, list) and len(value) > 2:
            example[key] = [*value[:2], f"… {len(value) - 2} more"]
    return {
        "name": name,
        "default": name == DEFAULT_CONFIG,
        "rows": sum(per_split.values()),
        "splits": per_split,
        "fields": [{"name": key, "type": _type(value)} for key, value in features.items()],
        "example": json.dumps(example, ensure_ascii=False, default=str),
    }


def _first_row(file: Any) -> dict[str, Any]:
    row: dict[str, Any] = next(file.iter_batches(batch_size=1)).to_pylist()[0]
    return row


def _type(feature: Any) -> str:
    text = repr(feature)
    return text if len(text) < 90 else text[:87] + "..."


def _split_documents(folder: BuildFolder, splits: list[str]) -> dict[str, Path]:
    """Each split's default-config file: its doc ids are the split's documents."""
    return {split: folder.config_file(DEFAULT_CONFIG, split) for split in splits}


def _label_counts(counts: Counter[tuple[str, str]], splits: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "name": layer.name,
            "description": layer.description,
            "labels": [
                {
                    "name": label.name,
                    "description": label.description,
                    "counts": {split: counts[(split, label.name)] for split in splits},
                }
                for label in layer.labels
            ],
        }
        for layer in LAYERS
    ]


def _dates(facts: CorpusFacts) -> str:
    if facts.dates is None:
        return "not stated"
    first, last, dated = facts.dates
    return f"{first} to {last} ({dated} of {facts.documents} articles dated)"


def _dataset_context(manifest: dict[str, Any]) -> dict[str, Any]:
    dataset = manifest.get("dataset") or {}
    note = dataset.get("split_note")
    return {
        "stories": dataset.get("stories", "–"),
        "split_text": (note[0].upper() + note[1:] + ".")
        if note
        else "Stories are assigned to train, validation "
        "and test (80/10/10), deterministically by a hash of the story id.",
        "exports": [e | {"source": code(e.get("source", e.get("name", "")))} for e in manifest.get("exports", [])],
        "fingerprint": manifest.get("fingerprint", "(not built yet)"),
        "newsspan_version": manifest.get("newsspan", "–"),
        "packages": sorted((manifest.get("packages") or {}).items()),
        "citation_key": "newsspan_" + str(manifest.get("fingerprint", "corpus"))[:8],
        "year": "2026",
    }


def _annotation_context(folder: BuildFolder, facts: CorpusFacts) -> dict[str, Any]:
    agreement = _json(folder.summary("agreement"))
    table = [r for r in _rows(folder.report_table("agreement")) if r["annotator_a"] == ALL and r["label"] == ALL]
    gold = _json(folder.summary("gold"))
    everyone = len(agreement.get("annotators", []))
    token_alpha, unitizing = (  # every annotator together, all labels of a layer
        {
            r["layer"]: r["alpha"]
            for r in agreement.get(key, [])
            if r["label"] == ALL and len(r["annotators"]) == everyone
        }
        for key in ("token_alpha", "unitizing_alpha")
    )
    return {
        "annotators": len(agreement.get("annotators", [])) or "–",
        "agreement_documents": agreement.get("documents", 0),
        "agreement": [
            {
                "layer": r["layer"],
                "exact": _fmt(r["f1_exact"]),
                "partial": _fmt(r["f1_partial"]),
                "alpha": _fmt(token_alpha.get(r["layer"])),
                "unitizing": _fmt(unitizing.get(r["layer"])),
            }
            for r in table
        ],
        "alpha": [
            {
                "scope": a["scope"],
                "units": a["units"],
                "alpha": _fmt(a["alpha"]) + (f" ({a['note']})" if a["note"] else ""),
            }
            for a in agreement.get("stance_alpha", [])
            if len(a["annotators"]) == len(agreement.get("annotators", []))
        ],
        "gold_strategy": gold.get("strategy", "none (no annotations)"),
        "gold_conflicts": gold.get("conflicts", 0),
        "gold_reviewed": gold.get("adjudicated_in_review", 0),
        "provenance": _provenance_counts(facts),
        "agreement_excluded_accepted": bool(agreement.get("excluded_accepted_predictions")),
    }


def _provenance_counts(facts: CorpusFacts) -> list[dict[str, Any]]:
    """Human spans by provenance (by hand, a prediction accepted unchanged, one changed)."""
    counts: Counter[str] = Counter()
    for provenance, spans in facts.provenance.items():
        counts[provenance or "not stated by the export"] += spans
    total = sum(counts.values())
    return [{"name": k, "spans": v, "share": f"{v / total:.0%}"} for k, v in sorted(counts.items())] if total else []


def _quality_context(folder: BuildFolder) -> dict[str, Any]:
    quality = _json(folder.summary("quality"))
    figures = quality.get("figures", {})
    layers = ", ".join(f"{k} {_fmt(v)}" for k, v in sorted(quality.get("layer_overlap_f1", {}).items())) or "–"
    return {
        "quality": {
            "model_version": quality.get("model_version", "–"),
            "boilerplate": _fmt(figures.get("boilerplate_line_f1")),
            "quote": _fmt(figures.get("quote_f1_overlap")),
            "speaker": _fmt(figures.get("speaker_accuracy")),
            "layers": layers,
        }
    }


def _silver_context(folder: BuildFolder, silver: bool) -> dict[str, Any]:
    """A predictions-only build's rules and their quality measured on the development sets
    (:mod:`newsspan.dataset.heuristics.quality`): its card says the layers are machine-made."""
    from newsspan.dataset.heuristics.quality import SETS, measured_quality

    if not silver:
        return {"silver": False}
    preannotate = _json(folder.summary("preannotate"))
    version = str(preannotate.get("model_version", "–"))
    measured = measured_quality(version)
    return {
        "silver": True,
        "rules_version": code(version),
        "measured": [
            {"set": code(m.set_name), "what": m.description, "value": f"{m.value:.3f}", "figure": code(m.figure)}
            for m in measured
        ],
        "measured_sets": [{"name": code(name), "description": SETS[name]} for name in SETS],
        "prose_lossy": preannotate.get("prose_lossy_documents", 0),
    }


def _validation_context(folder: BuildFolder) -> dict[str, Any]:
    validation = _json(folder.summary("validation"))
    results = validation.get("results", [])
    failed = [r for r in results if not r["success"]]
    text = (
        (
            f"The publish gate ran {len(results)} rules (Great Expectations): "
            f"{'passed' if validation.get('passed') else 'FAILED'}, {len(failed)} warning(s)."
        )
        if results
        else "Not run."
    )
    quarantine = validation.get("quarantine", {})
    return {
        "validation_text": text,
        "rules": [
            {
                "rule_id": r["rule_id"],
                "description": r["description"],
                "severity": r["severity"],
                "result": "passed" if r["success"] else f"{r['failed']} of {r['checked']} failed",
            }
            for r in results
        ],
        "quarantine": ", ".join(f"{k}: {v}" for k, v in quarantine.items()) or "empty",
    }
