"""Make the seeds' gold standard (offsets, labels, relations, stance; no article text).

    python tests/tools/make_seeds_gold.py --spec /tmp/seeds_gold_spec.json

The spec (kept outside the repository, since it quotes the articles) names each span by its
exact text and occurrence. The seeds are annotated with it through a real Label Studio server
(the same path as the sample's export), the export is converted by newsspan, and only offsets,
labels, relations and stance are written to tests/data/seeds_gold/gold.json, with each seed's
text sha256 so a changed seed is detected. The tests read the text from ../shared/seeds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_sample_export import REPO, annotate_through_label_studio

from newsspan.labeling.server import default_venv
from newsspan.labeling.tables import convert_export

TARGET = REPO / "tests" / "data" / "seeds_gold" / "gold.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    parser.add_argument("--venv", type=Path, default=default_venv())
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="newsspan-seeds-gold-"))
    try:
        export = annotate_through_label_studio(
            args.seeds, spec, work, venv=args.venv, domain="newsspan.gold", title="seeds gold"
        )
        summary = convert_export(export, work / "tables", documents=work / "t" / "documents.parquet")
        assert summary.items_quarantined == 0, summary.as_dict()
        documents = {d["doc_id"]: d for d in pq.read_table(work / "t" / "documents.parquet").to_pylist()}
        gold: dict[str, dict] = {}
        for document in sorted(documents.values(), key=lambda d: d["source"]):
            gold[Path(document["source"]).name] = {
                "text_sha256": hashlib.sha256(document["text"].encode("utf-8")).hexdigest(),
                "spans": [],
                "relations": [],
                "stance": [],
            }
        by_doc = {d["doc_id"]: Path(d["source"]).name for d in documents.values()}
        for row in pq.read_table(work / "tables" / "spans.parquet").to_pylist():
            gold[by_doc[row["doc_id"]]]["spans"].append(
                [row["region_id"], row["layer"], row["label"], row["start"], row["end"]]
            )
        for row in pq.read_table(work / "tables" / "relations.parquet").to_pylist():
            gold[by_doc[row["doc_id"]]]["relations"].append(
                [row["relation"], row["from_region_id"], row["to_region_id"]]
            )
        for row in pq.read_table(work / "tables" / "stance.parquet").to_pylist():
            gold[by_doc[row["doc_id"]]]["stance"].append([row["scope"], row["region_id"], row["value"]])
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "_comment": __doc__.strip().splitlines()[0],
            "stance_target": spec["stance_target"],
            "documents": gold,
        }
        text = json.dumps(payload, indent=1)
        text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
        TARGET.write_text(text + "\n", encoding="utf-8")  # one span per line: reviewable diffs
        print(f"wrote {TARGET}: {sum(len(d['spans']) for d in gold.values())} spans")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
