"""Against a real Label Studio server: push with predictions, annotate as two users, pull, compare."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.cli import cli
from newsspan.dataset.schema import SPANS

pytestmark = pytest.mark.integration

EMOJI_DOC = "Fishermen protest 🐟 quota\r\nThe union leader said “we will not accept this” on Monday.\r\n" + (
    "Officials in the port city said the new rules would apply to every trawler in the strait. " * 3
)


def _env(options, credentials) -> dict[str, str]:
    return {"LABEL_STUDIO_URL": options.url, "LABEL_STUDIO_API_KEY": credentials.token}


def _predictions(documents: list[dict]) -> pa.Table:
    rows = []
    for document in documents:
        for word in ("Pyongyang", "North Korea", "Monday"):
            start = document["text"].find(word)
            if start >= 0:
                rows.append(
                    {
                        "doc_id": document["doc_id"],
                        "annotation_id": "pred-test",
                        "annotator": "test-rules-0.1",
                        "origin": "prediction",
                        "region_id": f"p{len(rows)}",
                        "layer": "entity",
                        "label": "DATE" if word == "Monday" else "GPE",
                        "start": start,
                        "end": start + len(word),
                        "text": word,
                    }
                )
                break
    return pa.Table.from_pylist(rows, schema=SPANS.arrow_schema)


def _span(region: str, label: str, layer: str, text: str, word: str) -> dict:
    start = text.index(word)
    value = {"start": start, "end": start + len(word), "text": word, "labels": [label]}
    return {"id": region, "from_name": layer, "to_name": "text", "type": "labels", "value": value}


def test_push_annotate_pull_round_trip(label_studio, seeds_dir, tmp_path, runner):
    options, _, credentials = label_studio
    env = _env(options, credentials)
    articles = tmp_path / "articles"
    articles.mkdir()
    for seed in sorted(seeds_dir.iterdir()):
        (articles / seed.name).write_bytes(seed.read_bytes())
    (articles / "emoji_crlf.txt").write_bytes(EMOJI_DOC.encode("utf-8"))
    work = tmp_path / "t"
    assert runner.invoke(cli, ["-q", "ingest", str(articles), "--out", str(work)]).exit_code == 0
    documents = pq.read_table(work / "documents.parquet").to_pylist()
    predictions = tmp_path / "pre" / "spans.parquet"
    predictions.parent.mkdir()
    pq.write_table(_predictions(documents), predictions)

    first = runner.invoke(
        cli, ["label", "push", str(work / "documents.parquet"), "--predictions", str(predictions), "--json"], env=env
    )
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert (report["created"], report["predictions_added"], report["changed"]) == (6, 6, [])
    second = runner.invoke(cli, ["label", "push", str(work / "documents.parquet"), "--json"], env=env)
    assert json.loads(second.stdout)["created"] == 0
    assert json.loads(second.stdout)["unchanged"] == 6
    # newsspan's own pre-annotation, pushed onto the existing tasks as a second model version
    rules = runner.invoke(cli, ["-q", "preannotate", str(work / "documents.parquet"), "--out", str(tmp_path / "rules")])
    assert rules.exit_code == 0, rules.output
    third = runner.invoke(
        cli,
        [
            "label",
            "push",
            str(work / "documents.parquet"),
            "--predictions",
            str(tmp_path / "rules" / "spans.parquet"),
            "--json",
        ],
        env=env,
    )
    assert json.loads(third.stdout)["predictions_added"] == 6 and json.loads(third.stdout)["created"] == 0

    from label_studio_sdk import LabelStudio

    from newsspan.labeling.users import sign_up

    admin = LabelStudio(base_url=options.url, api_key=credentials.token)
    second_token = sign_up(options.url, credentials.token, email="ann2@newsspan.test", password="ann2-pass-1234")
    annotator = LabelStudio(base_url=options.url, api_key=second_token)
    tasks = {t.data["doc_id"]: t for t in admin.tasks.list(project=report["project_id"], fields="all")}
    emoji = next(d for d in documents if d["source"].endswith("emoji_crlf.txt"))
    assert "\r" not in emoji["text"] and "🐟" in emoji["text"]  # ingest normalized CRLF, kept the emoji
    after_emoji = _span("e1", "DATE", "entity", emoji["text"], "Monday")
    quote = _span("q1", "QUOTE", "quote", emoji["text"], "we will not accept this")
    speaker = _span("s1", "SPEAKER", "quote", emoji["text"], "The union leader")
    relation = {"from_id": "q1", "to_id": "s1", "type": "relation", "direction": "right", "labels": ["said_by"]}
    stance = {
        "id": "q1",
        "from_name": "quote_stance",
        "to_name": "text",
        "type": "choices",
        "value": {**quote["value"], "choices": ["AGAINST"]},
    }
    sent = {
        "admin": [after_emoji, quote, speaker, relation, stance],
        "ann2": [after_emoji, {**quote, "value": {**quote["value"], "labels": ["QUOTE"]}}],
    }
    admin.annotations.create(id=tasks[emoji["doc_id"]].id, result=sent["admin"], lead_time=12.5)
    annotator.annotations.create(id=tasks[emoji["doc_id"]].id, result=sent["ann2"], lead_time=30.0)

    # A task made outside newsspan with raw CRLF text: the server keeps code-point offsets as sent.
    crlf_text = "Line one\r\nPutin met Kim in Pyongyang 🇰🇵.\r\nEnd"
    outside = admin.projects.import_tasks(
        id=report["project_id"], request=[{"text": crlf_text, "doc_id": "outside"}], return_task_ids=True
    ).task_ids[0]
    crossing = {
        "id": "b1",
        "from_name": "boilerplate",
        "to_name": "text",
        "type": "labels",
        # as the UI writes a span that crosses a line break: each CR and LF as the two characters \n
        "value": {"start": 5, "end": 15, "text": "one\\n\\nPutin", "labels": ["METADATA"]},
    }
    end_span = _span("e2", "MISC", "entity", crlf_text, "End")
    annotator.annotations.create(id=outside, result=[crossing, end_span], lead_time=5.0)

    pulled = runner.invoke(cli, ["label", "pull", "--out", str(work), "--json"], env=env)
    assert pulled.exit_code == 0, pulled.output
    meta = json.loads(pulled.stdout)
    assert meta["tasks"] == 7
    export = json.loads((work / "label-studio-export.json").read_text(encoding="utf-8"))
    assert json.loads((work / "label-studio-export.meta.json").read_text())["sha256"] == meta["sha256"]
    by_doc = {task["data"]["doc_id"]: task for task in export}

    task = by_doc[emoji["doc_id"]]
    assert task["data"]["text"] == emoji["text"]
    assert sorted(p["model_version"] for p in task["predictions"]) == ["newsspan-rules-4", "test-rules-0.1"]
    rules_prediction = next(p for p in task["predictions"] if p["model_version"] == "newsspan-rules-4")
    assert {r.get("from_name") for r in rules_prediction["result"]} >= {"entity", "quote"}
    annotations = {a["completed_by"]["email"]: a for a in task["annotations"]}
    assert set(annotations) == {credentials.username, "ann2@newsspan.test"}
    assert annotations[credentials.username]["result"] == sent["admin"]
    assert annotations["ann2@newsspan.test"]["result"] == sent["ann2"]
    span = annotations[credentials.username]["result"][0]["value"]
    assert task["data"]["text"][span["start"] : span["end"]] == "Monday"  # code points, after the emoji

    raw = by_doc["outside"]
    assert raw["data"]["text"] == crlf_text  # CRLF kept by the server
    (result,) = [a["result"] for a in raw["annotations"]]
    assert crlf_text[result[1]["value"]["start"] : result[1]["value"]["end"]] == "End"
    assert result[0]["value"]["text"] == "one\\n\\nPutin"  # stored as sent: the server validates nothing

    # the real export converts completely: every span's text is the document's text at its offsets
    tables = tmp_path / "tables"
    converted = runner.invoke(cli, ["label", "convert", str(work / "label-studio-export.json"), "--out", str(tables)])
    assert converted.exit_code == 0, converted.output
    summary = json.loads((tables / "convert.json").read_text())
    assert summary["result_items_quarantined"] == 0 and summary["reconciles"]
    texts = {d["doc_id"]: d["text"] for d in pq.read_table(tables / "documents.parquet").to_pylist()}
    spans = pq.read_table(tables / "spans.parquet").to_pylist()
    assert all(texts[s["doc_id"]][s["start"] : s["end"]] == s["text"] for s in spans)
    assert {s["text"] for s in spans} >= {"Monday", "one\r\nPutin", "End", "Pyongyang"}
    assert {(s["annotator"], s["origin"]) for s in spans} >= {
        (credentials.username, "human"),
        ("ann2@newsspan.test", "human"),
        ("test-rules-0.1", "prediction"),
    }

    # the main job pulls the same export itself
    built = runner.invoke(
        cli, ["-q", "build", str(articles), "--from-label-studio", "--out", str(tmp_path / "b"), "--json"], env=env
    )
    assert built.exit_code == 0, built.output
    (converted,) = json.loads(built.stdout)["convert"]
    assert converted["tasks"] == 7 and converted["quarantine_reasons"] == {"unknown_document": 1}  # the outside task

    token_free = (work / "label-studio-export.meta.json").read_text() + pulled.output + first.output
    assert credentials.token not in token_free


def test_wrong_token_and_unreachable_server_are_one_line_errors(label_studio, tmp_path, runner):
    options, _, _ = label_studio
    documents = tmp_path / "documents.parquet"
    from newsspan.dataset.schema import DOCUMENTS

    pq.write_table(DOCUMENTS.arrow_schema.empty_table(), documents)
    wrong = runner.invoke(
        cli,
        ["label", "push", str(documents)],
        env={"LABEL_STUDIO_URL": options.url, "LABEL_STUDIO_API_KEY": "not-the-token"},
    )
    assert wrong.exit_code == 1
    assert "refused the API token (HTTP 401" in wrong.stderr
    assert "Traceback" not in wrong.output
    config = tmp_path / "newsspan.toml"
    config.write_text("[label_studio]\nretries = 4\nbackoff = 30\n")  # a retry would take minutes
    unreachable = {"LABEL_STUDIO_URL": "http://127.0.0.1:9", "LABEL_STUDIO_API_KEY": "whatever"}
    down = runner.invoke(cli, ["--config", str(config), "label", "push", str(documents)], env=unreachable)
    assert down.exit_code == 1
    assert "Label Studio at http://127.0.0.1:9 is not reachable (ConnectError) after 1 tries" in down.stderr
    assert "check the token" not in down.stderr.split("not reachable")[0], "no token retries first"
    assert "newsspan label serve" in down.stderr


def test_serve_and_stop_commands_run_a_loopback_server_by_pid(label_studio, tmp_path, runner, monkeypatch):
    import socket

    from newsspan.labeling.server import default_venv

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    venv = os.environ.get("NEWSSPAN_LS_VENV") or str(default_venv())  # installed by the label_studio fixture
    config = tmp_path / "newsspan.toml"
    config.write_text(
        f'[label_studio]\nurl = "http://127.0.0.1:{port}"\ndata_dir = "{tmp_path / "ls"}"\nvenv = "{venv}"\n'
    )
    for key in ("LABEL_STUDIO_API_KEY", "LABEL_STUDIO_PASSWORD", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(key, raising=False)
    base = ["--config", str(config), "label"]
    started = runner.invoke(cli, [*base, "serve"])
    try:
        assert started.exit_code == 0, started.output
        assert f"is running at http://127.0.0.1:{port}" in started.stdout
        assert f"starting Label Studio at http://127.0.0.1:{port}" in started.stderr, "serve says what it waits for"
        credentials = json.loads((tmp_path / "ls" / "credentials.json").read_text())
        assert credentials["token"] not in started.output and credentials["password"] not in started.output
        pid = json.loads((tmp_path / "ls" / "server.json").read_text())["pid"]
        again = runner.invoke(cli, [*base, "serve"])
        assert again.exit_code == 1 and f"already runs for {tmp_path / 'ls'}" in again.stderr
    finally:
        stopped = runner.invoke(cli, [*base, "stop"])
    assert stopped.exit_code == 0 and f"(pid {pid})" in stopped.stdout
    assert not Path(f"/proc/{pid}").exists() or b"label-studio" not in Path(f"/proc/{pid}/cmdline").read_bytes()


def test_a_saved_page_reaches_label_studio_with_its_boilerplate_proposed(label_studio, tmp_path, runner):
    """`build`/`ingest` of a saved HTML page, pre-annotated and pushed: the annotator's task shows the
    page's menus, footer and related links as boilerplate predictions and the article untouched."""
    options, _, credentials = label_studio
    env = _env(options, credentials)
    page = Path(__file__).resolve().parent / "data" / "html_pages" / "harbour-strike.html"
    work = tmp_path / "page"
    assert runner.invoke(cli, ["-q", "ingest", str(page), "--out", str(work)]).exit_code == 0
    rules = runner.invoke(cli, ["-q", "preannotate", str(work / "documents.parquet"), "--out", str(tmp_path / "pre")])
    assert rules.exit_code == 0, rules.output
    pushed = runner.invoke(
        cli,
        [
            "label",
            "push",
            str(work / "documents.parquet"),
            "--predictions",
            str(tmp_path / "pre" / "spans.parquet"),
            "--json",
        ],
        env=env,
    )
    assert pushed.exit_code == 0, pushed.output
    report = json.loads(pushed.stdout)
    from label_studio_sdk import LabelStudio

    admin = LabelStudio(base_url=options.url, api_key=credentials.token)
    (doc_id,) = pq.read_table(work / "documents.parquet")["doc_id"].to_pylist()
    (task,) = [t for t in admin.tasks.list(project=report["project_id"], fields="all") if t.data["doc_id"] == doc_id]
    text = task.data["text"]
    results = [r for p in task.predictions for r in (p["result"] if isinstance(p, dict) else p.result)]
    boilerplate = {
        (r["value"]["labels"][0], text[r["value"]["start"] : r["value"]["end"]])
        for r in results
        if r.get("from_name") == "boilerplate"
    }
    labelled = {label for label, _ in boilerplate}
    assert {"NAVIGATION", "RELATED", "CAPTION", "PROMO"} <= labelled, boilerplate
    assert any("Sport" in span for label, span in boilerplate if label == "NAVIGATION"), "the menu is not proposed"
    assert any("Privacy policy" in span for _, span in boilerplate), "the footer is not proposed"
    article = "Hundreds of dock workers at Port Halden stopped work on Tuesday night"
    assert not any(article in span for _, span in boilerplate), "the article was proposed as boilerplate"


POLNEAR = Path(__file__).resolve().parents[2] / "shared" / "external" / "polnear-train"


def test_polnear_articles_reach_label_studio_with_speakers_and_cues_linked(label_studio, tmp_path, runner):
    """Real PolNeAR articles (annotated by trained annotators), ingested, pre-annotated and pushed:
    in the annotator's task the proposed QUOTEs are linked by `said_by` to a SPEAKER and by
    `cued_by` to a CUE (a quote with no attribution found stands alone), a pronoun speaker
    `refers_to` a named one, and the proposed speakers are the annotators' Sources for most
    quotes."""
    if not (POLNEAR / "train" / "text").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the development sets are missing: {POLNEAR} must sit beside the repository in CI")
        pytest.skip(f"{POLNEAR} not found: the development sets live in ../shared/external")
    benchmark = Path(__file__).resolve().parents[1] / "benchmarks" / "attribution.py"
    spec = importlib.util.spec_from_file_location("attribution_benchmark", benchmark)
    assert spec is not None and spec.loader is not None
    attribution = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = attribution  # its dataclasses resolve their module
    spec.loader.exec_module(attribution)

    options, _, credentials = label_studio
    articles = tmp_path / "articles"
    articles.mkdir()
    chosen = sorted((POLNEAR / "train" / "text").glob("*.txt"))[:6]
    gold: dict[str, set[str]] = {}
    for path in chosen:
        text = path.read_text(encoding="utf-8")
        (articles / path.name).write_text(text, encoding="utf-8")
        ann = sorted((POLNEAR / "train" / "attributions").glob(f"{path.stem}_*.ann"))[0]
        for quote in attribution.gold_quotes(text, *attribution.read_ann(ann)):
            gold.setdefault(text[quote.span[0] : quote.span[1]], set()).add(quote.speaker_text)
    work = tmp_path / "corpus"
    assert runner.invoke(cli, ["-q", "ingest", str(articles), "--out", str(work)]).exit_code == 0
    rules = runner.invoke(cli, ["-q", "preannotate", str(work / "documents.parquet"), "--out", str(tmp_path / "pre")])
    assert rules.exit_code == 0, rules.output
    pushed = runner.invoke(
        cli,
        [
            "label",
            "push",
            str(work / "documents.parquet"),
            "--predictions",
            str(tmp_path / "pre" / "spans.parquet"),
            "--json",
        ],
        env=_env(options, credentials),
    )
    assert pushed.exit_code == 0, pushed.output
    from label_studio_sdk import LabelStudio

    admin = LabelStudio(base_url=options.url, api_key=credentials.token)
    ours = set(pq.read_table(work / "documents.parquet")["doc_id"].to_pylist())
    project = json.loads(pushed.stdout)["project_id"]
    assert json.loads(pushed.stdout)["project_url"] == f"{options.url}/projects/{project}/data", "push names the URL"
    assert len(json.loads(pushed.stdout)["without_stance_target"]) == len(chosen)
    again = runner.invoke(
        cli,
        ["label", "push", str(work / "documents.parquet"), "--stance-target", "the candidates", "--json"],
        env=_env(options, credentials),
    )
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["stance_target_updated"] == len(chosen), "the target reaches the open tasks"
    tasks = [t for t in admin.tasks.list(project=project, fields="all") if t.data["doc_id"] in ours]
    assert len(tasks) == len(chosen)
    assert {t.data["stance_target"] for t in tasks} == {"the candidates"}
    shown = admin.projects.get(id=project)
    assert shown.show_instruction and "How to annotate" in (shown.expert_instruction or ""), "instructions first"
    quotes = attributed = agreeing = pronouns = 0
    for task in tasks:
        text = task.data["text"]
        results = [r for p in task.predictions for r in (p["result"] if isinstance(p, dict) else p.result)]
        regions = {r["id"]: r for r in results if r.get("type") == "labels"}
        links: dict[str, dict[str, list[dict]]] = {}
        for relation in (r for r in results if r.get("type") == "relation"):
            (kind,) = relation["labels"]
            links.setdefault(relation["from_id"], {}).setdefault(kind, []).append(regions[relation["to_id"]])
        for region_id, region in regions.items():
            value = region["value"]
            label = value["labels"][0]
            if label == "SPEAKER" and "refers_to" in links.get(region_id, {}):
                (named,) = links[region_id]["refers_to"]
                assert text[value["start"] : value["end"]].lower() in {"he", "she", "they"}, value
                assert named["value"]["labels"] == ["SPEAKER"] and named["value"]["text"][:1].isupper(), named
                pronouns += 1
            if label != "QUOTE":
                continue
            quotes += 1
            linked = links.get(region_id, {})
            if not linked:
                continue  # no attribution found: a quote alone, for the annotator to link
            (speaker,), (cue,) = linked.get("said_by", [None]), linked.get("cued_by", [None])
            assert speaker is not None and speaker["value"]["labels"] == ["SPEAKER"], (value["text"], linked)
            assert cue is not None and cue["value"]["labels"] == ["CUE"], "a speaker comes with its cue"
            attributed += 1
            said = speaker["value"]["text"]
            assert said == text[speaker["value"]["start"] : speaker["value"]["end"]], "offsets reach LS exactly"
            named = links.get(speaker["id"], {}).get("refers_to", [])
            if any(
                said in g or g in said or any(n["value"]["text"] in g for n in named)
                for g in gold.get(value["text"], ())
            ):
                agreeing += 1
    assert quotes >= 20, f"only {quotes} quotes proposed in {len(chosen)} PolNeAR articles"
    assert attributed / quotes >= 0.7, f"only {attributed} of {quotes} quotes have a speaker and a cue"
    assert agreeing / attributed >= 0.65, f"{agreeing} of {attributed} proposed speakers are the annotators' Sources"
    assert pronouns >= 1, "no pronoun speaker was linked to its named antecedent"


def test_label_review_pushes_each_conflict_with_every_annotators_version(label_studio, tmp_path, runner):
    """`label review` on a build of the sample: one review task per document with gold conflicts,
    each human annotation of it a prediction named by its annotator's pseudonym; a second run adds
    nothing."""
    from label_studio_sdk import LabelStudio

    from newsspan.dataset.hub.rows import pseudonym

    options, _, credentials = label_studio
    out = tmp_path / "corpus"
    assert runner.invoke(cli, ["-q", "build", "--out", str(out)]).exit_code == 0
    conflicted = set(pq.read_table(out / "gold_conflicts.parquet")["doc_id"].to_pylist())
    reviewed = runner.invoke(cli, ["label", "review", str(out), "--json"], env=_env(options, credentials))
    assert reviewed.exit_code == 0, reviewed.output
    report = json.loads(reviewed.stdout)
    assert report["project_title"] == "newsspan review" and report["documents"] == len(conflicted) > 0
    annotations = pq.read_table(out / "annotations.parquet").to_pylist()
    admin = LabelStudio(base_url=options.url, api_key=credentials.token)
    tasks = list(admin.tasks.list(project=report["project_id"], fields="all"))
    assert {t.data["doc_id"] for t in tasks} == conflicted
    for task in tasks:
        wanted = {
            pseudonym(a["annotator"])
            for a in annotations
            if a["doc_id"] == task.data["doc_id"] and a["origin"] == "human" and not a["cancelled"]
        }
        versions = {p["model_version"] if isinstance(p, dict) else p.model_version for p in task.predictions}
        assert versions == wanted, "each annotator's version, under a pseudonym"
        assert not any("@" in v for v in versions), "no e-mail address reaches the review project"
    again = json.loads(
        runner.invoke(cli, ["label", "review", str(out), "--json"], env=_env(options, credentials)).stdout
    )
    assert (again["created"], again["predictions_added"]) == (0, 0), "a second review push adds nothing"


def test_a_review_comes_back_as_the_gold_layer_of_its_document(label_studio, tmp_path, runner):
    """The return half of `label review`: a reviewer submits one annotator's version of a
    conflicting document in the review project; `label pull --review` and a build with both
    exports make it that document's gold layer (provenance adjudicated) and settle its conflicts."""
    import importlib.resources

    from label_studio_sdk import LabelStudio

    from newsspan.labeling.workflow import review_exists

    options, _, credentials = label_studio
    env = _env(options, credentials)
    first = tmp_path / "first"
    assert runner.invoke(cli, ["-q", "build", "--out", str(first)]).exit_code == 0
    report = json.loads(runner.invoke(cli, ["label", "review", str(first), "--json"], env=env).stdout)
    assert review_exists(options)
    admin = LabelStudio(base_url=options.url, api_key=credentials.token)
    task = sorted(admin.tasks.list(project=report["project_id"], fields="all"), key=lambda t: t.data["doc_id"])[0]
    assert task.data["newsspan_review"] is True
    doc_id = task.data["doc_id"]
    version = next(p if isinstance(p, dict) else p.dict() for p in task.predictions)
    chosen = [
        item for item in version["result"] if item.get("type") == "labels"
    ]  # its spans, as the reviewer keeps them
    admin.annotations.create(id=task.id, result=chosen, lead_time=40.0)

    work = tmp_path / "pulled"
    pulled = runner.invoke(cli, ["label", "pull", "--review", "--out", str(work), "--json"], env=env)
    assert pulled.exit_code == 0, pulled.output
    review_export = work / "label-studio-review-export.json"
    assert json.loads(pulled.stdout)["project_title"] == "newsspan review" and review_export.is_file()
    sample = importlib.resources.files("newsspan.dataset.sample").joinpath("label-studio-export.json")
    with importlib.resources.as_file(sample) as sample_export:
        second = tmp_path / "second"
        built = runner.invoke(
            cli,
            ["-q", "build", "--export", str(sample_export), "--export", str(review_export), "--out", str(second)],
        )
    assert built.exit_code == 0, built.output
    gold = [
        s
        for s in pq.read_table(second / "spans.parquet").to_pylist()
        if s["origin"] == "gold" and s["doc_id"] == doc_id
    ]
    wanted = {(i["value"]["labels"][0], i["value"]["start"], i["value"]["end"]) for i in chosen}
    assert {(s["label"], s["start"], s["end"]) for s in gold} == wanted
    assert {s["provenance"] for s in gold} == {"adjudicated"}
    summary = json.loads((second / "gold.json").read_text())
    assert summary["adjudicated_in_review"] == 1 and summary["decided_by"]["review project"] == 1
    assert doc_id not in set(pq.read_table(second / "gold_conflicts.parquet")["doc_id"].to_pylist())
    before = json.loads((first / "agreement.json").read_text())["annotators"]
    assert json.loads((second / "agreement.json").read_text())["annotators"] == before, "the reviewer is no annotator"
    reviews = [a for a in pq.read_table(second / "annotations.parquet").to_pylist() if a["origin"] == "review"]
    assert [(a["doc_id"], a["annotator"]) for a in reviews] == [(doc_id, credentials.username)]
    versions = sum(len(t.predictions) for t in admin.tasks.list(project=report["project_id"], fields="all"))
    converted = json.loads((second / "manifest.json").read_text())["convert"]
    assert [c["review_versions_not_converted"] for c in converted] == [0, versions]
    assert converted[1]["result_items_quarantined"] == 0
    assert "provenance `adjudicated`" in (second / "README.md").read_text()
