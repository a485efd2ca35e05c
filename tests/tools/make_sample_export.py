"""Regenerate the bundled sample's Label Studio export by annotating through a real server.

    python tests/tools/make_sample_export.py            # writes dataset/sample/label-studio-export.json

It ingests the bundled sample, starts Label Studio (newsspan's own `serve` code) on a free
loopback port with a throw-away data folder, pushes the documents, signs up the annotators named
in tests/data/sample_annotations/spec.json, creates each annotator's annotation through the API
(spans found by exact text and occurrence, relations, per-quote and document stance), pulls the
full JSON export, and stops the server by its pid. Run it after changing the sample or the spec;
tests/test_sample_export.py checks that the export and the spec agree.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Any

from newsspan.dataset.build import ingest_to_folder, sample_articles
from newsspan.dataset.config import IngestOptions, LabelStudioOptions
from newsspan.labeling.server import default_venv, start_server, stop_server

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "tests" / "data" / "sample_annotations" / "spec.json"
TARGET = REPO / "dataset" / "sample" / "label-studio-export.json"
LAYER = {
    **dict.fromkeys(["PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "LAW", "EVENT", "MISC"], "entity"),
    **dict.fromkeys(["QUOTE", "SPEAKER", "CUE"], "quote"),
    **dict.fromkeys(["PROMO", "RELATED", "NAVIGATION", "CAPTION", "CREDIT", "METADATA"], "boilerplate"),
}


def locate(text: str, fragment: str, occurrence: int) -> int:
    """Start of the ``occurrence``-th (1-based, overlapping) occurrence of ``fragment``."""
    start = -1
    for _ in range(occurrence):
        start = text.find(fragment, start + 1)
        if start < 0:
            raise ValueError(f"{fragment!r} occurs fewer than {occurrence} times")
    return start


def annotation_result(text: str, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The Label Studio ``result`` list for one annotator's spec of one document."""
    result: list[dict[str, Any]] = []
    values: dict[str, dict[str, Any]] = {}
    for span in spec["spans"]:
        start = locate(text, span["text"], span["occurrence"])
        value = {"start": start, "end": start + len(span["text"]), "text": span["text"], "labels": [span["label"]]}
        values[span["id"]] = value
        result.append(
            {
                "id": span["id"],
                "from_name": LAYER[span["label"]],
                "to_name": "text",
                "type": "labels",
                "origin": "manual",
                "value": value,
            }
        )
    for relation in spec.get("relations", []):
        result.append(
            {
                "from_id": relation["from"],
                "to_id": relation["to"],
                "type": "relation",
                "direction": "right",
                "labels": [relation["type"]],
            }
        )
    for region, stance in spec.get("quote_stance", {}).items():
        value = {k: values[region][k] for k in ("start", "end", "text")} | {"choices": [stance]}
        result.append(
            {
                "id": region,
                "from_name": "quote_stance",
                "to_name": "text",
                "type": "choices",
                "origin": "manual",
                "value": value,
            }
        )
    if spec.get("doc_stance"):
        result.append(
            {
                "id": f"ds-{spec['spans'][0]['id']}"[:10],
                "from_name": "doc_stance",
                "to_name": "text",
                "type": "choices",
                "origin": "manual",
                "value": {"choices": [spec["doc_stance"]]},
            }
        )
    return result


def annotate_through_label_studio(
    articles: Path, spec: dict[str, Any], work: Path, *, venv: Path, domain: str, title: str
) -> Path:
    """Ingest ``articles``, annotate them per ``spec`` through a real server, return the export.

    Annotators sign up as ``<name>@<domain>``; the server is stopped by its pid before return.
    """
    from label_studio_sdk import LabelStudio

    from newsspan.labeling.users import sign_up
    from newsspan.labeling.workflow import pull_project, push_documents

    ingest_to_folder([articles], work / "t", options=IngestOptions(language="en", stance_target=spec["stance_target"]))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    options = LabelStudioOptions(
        url=f"http://127.0.0.1:{port}", data_dir=str(work / "ls"), project_title=title, username=f"lead@{domain}"
    )
    _, credentials = start_server(options, data_dir=work / "ls", venv=venv)
    try:
        _, project = push_documents(options, work / "t" / "documents.parquet")
        admin = LabelStudio(base_url=options.url, api_key=credentials.token)
        tasks = {t.data["doc_id"]: t for t in admin.tasks.list(project=project.id, fields="all")}
        import pyarrow.parquet as pq

        documents = {d["source"].split("/")[-1]: d for d in pq.read_table(work / "t" / "documents.parquet").to_pylist()}
        clients: dict[str, Any] = {}
        for source, by_annotator in spec["documents"].items():
            document = documents[source]
            for name, annotation in by_annotator.items():
                if name not in clients:
                    token = sign_up(options.url, credentials.token, email=f"{name}@{domain}", password=f"{name}-pass-1")
                    clients[name] = LabelStudio(base_url=options.url, api_key=token)
                clients[name].annotations.create(
                    id=tasks[document["doc_id"]].id,
                    result=annotation_result(document["text"], annotation),
                    lead_time=annotation.get("lead_time", 300.0),
                )
        pull_project(options, work / "export")
    finally:
        stop_server(work / "ls")
    return work / "export" / "label-studio-export.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=default_venv(), help="Label Studio virtualenv")
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args()
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="newsspan-sample-"))
    try:
        with sample_articles() as folder:
            export = annotate_through_label_studio(
                folder, spec, work, venv=args.venv, domain="newsspan.sample", title="newsspan sample"
            )
        shutil.copyfile(export, args.out)
        print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
