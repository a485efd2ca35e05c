"""PolNeAR's BRAT standoff as newsspan annotation tables, for agreement on a real corpus.

    python tests/tools/polnear_tables.py ../shared/external/polnear-train annotator-training [--out DIR]

Each ``<article>_<annotator>.ann`` becomes one human annotation of that article; its ``Source``,
``Cue`` and ``Content`` spans become SPEAKER, CUE and QUOTE spans of the quote layer (a
discontinuous span, ``Content 10 20;25 40``, one span per fragment; ``Attribution`` spans, the
whole relation, are not spans of newsspan's schema and are left out). Offsets are the files'
code points into the .txt, taken as they are (issue 21 brings a checked BRAT import). Prints
the token-wise and the unitizing alpha of the quote layer over all annotators; ``--out DIR``
writes the whole agreement report there.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsspan.dataset.schema import ANNOTATIONS, SPANS, STANCE

LABELS = {"Source": "SPEAKER", "Cue": "CUE", "Content": "QUOTE"}


def polnear_tables(root: Path, compartment: str) -> tuple[dict[str, str], pa.Table, pa.Table, pa.Table]:
    """(texts, annotations, spans, stance) of one compartment's articles and annotators."""
    texts: dict[str, str] = {}
    annotations: list[dict[str, Any]] = []
    spans: list[dict[str, Any]] = []
    for ann in sorted((root / compartment / "attributions").glob("*.ann")):
        article, annotator = ann.stem.rsplit("_", 1)
        text = texts.setdefault(article, (root / compartment / "text" / f"{article}.txt").read_text(encoding="utf-8"))
        annotation_id = f"{article}:{annotator}"
        annotations.append(
            {
                "doc_id": article,
                "annotation_id": annotation_id,
                "annotator": annotator,
                "origin": "human",
                "cancelled": False,
                "ground_truth": False,
            }
        )
        for line in ann.read_text(encoding="utf-8").splitlines():
            if not line.startswith("T"):
                continue
            ident, kind_offsets = [*line.split("\t"), "", ""][:2]
            kind, _, offsets = kind_offsets.partition(" ")
            if kind not in LABELS:
                continue
            for number, fragment in enumerate(offsets.split(";")):
                start, end = (int(x) for x in fragment.split())
                if start >= end:
                    continue
                spans.append(
                    {
                        "doc_id": article,
                        "annotation_id": annotation_id,
                        "annotator": annotator,
                        "origin": "human",
                        "region_id": f"{ident}.{number}",
                        "layer": "quote",
                        "label": LABELS[kind],
                        "start": start,
                        "end": end,
                        "text": text[start:end],
                        "provenance": "manual",
                    }
                )
    return (
        texts,
        pa.Table.from_pylist(annotations, schema=ANNOTATIONS.arrow_schema),
        pa.Table.from_pylist(spans, schema=SPANS.arrow_schema),
        STANCE.arrow_schema.empty_table(),
    )


def main(argv: list[str]) -> int:
    from newsspan.labeling.agreement import compute_agreement
    from newsspan.labeling.reports import agreement_markdown

    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else None
    args = [a for i, a in enumerate(argv) if a != "--out" and (i == 0 or argv[i - 1] != "--out")]
    root, compartment = Path(args[0]), args[1] if len(args) > 1 else "annotator-training"
    texts, annotations, spans, stance = polnear_tables(root, compartment)
    report = compute_agreement(annotations, spans, stance, texts=texts)
    everyone = max(len(r["annotators"]) for r in report.span_alpha)
    units = {
        r["label"]: r for r in report.unitizing_alpha if r["layer"] == "quote" and len(r["annotators"]) == everyone
    }
    for row in report.span_alpha:
        if row["layer"] == "quote" and len(row["annotators"]) == everyone:
            unitizing = units[row["label"]]
            print(
                f"{row['label']:<8} tokens={row['units']} alpha={row['alpha']:.4f}  "
                f"characters={unitizing['characters']} alpha_U={unitizing['alpha']:.4f}"
            )
    if out is not None:  # the full report, as `newsspan label agreement` writes it
        out.mkdir(parents=True, exist_ok=True)
        (out / "agreement.md").write_text(agreement_markdown(report), encoding="utf-8")
        print(f"wrote {out / 'agreement.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
