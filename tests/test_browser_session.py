"""An annotation session in a real browser: headless Chromium against a real Label Studio server.

As an annotator works: log in, open a task pre-filled with predictions, accept one, change the
label of another, draw a third span by hand, choose the document stance, submit. The build of
the pulled export must say which is which (provenance), a push with --no-prefill must serve the
next task of the label stream blank while its prediction stays on it, and a relation given two labels (which the
view no longer allows; the API does) must be quarantined, naming the task and the region.
"""

from __future__ import annotations

import json
import re
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.cli import cli
from newsspan.dataset.schema import SPANS

pytestmark = [pytest.mark.integration, pytest.mark.browser]

FILLER = (
    " The council will meet again in March to discuss the fishing quotas, which the ministry set last"
    " year after a long dispute with the trawler owners of the northern coast."
)
ARTICLES = {
    "harbour.txt": "Harbour council rejects quota plan\n\nMarta Velloso, the council's chair, said the plan was "
    '"a threat to every family in Quillon" on Monday. The Harbour Council will meet again.' + FILLER,
    "ferry.txt": 'Ferry strike ends after talks\n\nThe union leader said "we will go back to work" on Tuesday,'
    " after the talks with the operator ended." + FILLER,
}
PREDICTED = {
    "harbour.txt": [("Marta Velloso", "PERSON"), ("Harbour Council", "GPE")],
    "ferry.txt": [("Tuesday", "DATE")],
}
MODEL = "browser-test-rules"


def _predictions(documents: list[dict]) -> pa.Table:
    rows = []
    for document in documents:
        for word, label in PREDICTED[document["source"].rsplit("/", 1)[-1]]:
            start = document["text"].index(word)
            rows.append(
                {
                    "doc_id": document["doc_id"],
                    "annotation_id": "pred",
                    "annotator": MODEL,
                    "origin": "prediction",
                    "region_id": f"p{len(rows)}",
                    "layer": "entity",
                    "label": label,
                    "start": start,
                    "end": start + len(word),
                    "text": word,
                }
            )
    return pa.Table.from_pylist(rows, schema=SPANS.arrow_schema)


def _label(page, name: str):
    """The label button of the labeling view (its text is the label, its hint a separate element)."""
    return page.locator(".lsf-label", has=page.locator(".lsf-label__text", has_text=re.compile(f"^{name}$")))


def _drag_over(page, word: str) -> None:
    """Select ``word`` in the task text with the mouse, as an annotator drags across it."""
    box = page.evaluate(
        """(word) => {
          for (const line of document.querySelectorAll('.lsf-richtext__line')) {
            const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
              const at = node.data.indexOf(word);
              if (at < 0) continue;
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + word.length);
              const b = range.getBoundingClientRect();
              return {x: b.x, y: b.y, w: b.width, h: b.height};
            }
          }
          return null;
        }""",
        word,
    )
    assert box is not None, f"{word!r} is not in the task text on the page"
    y = box["y"] + box["h"] / 2
    page.mouse.move(box["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["w"] - 1, y, steps=5)
    page.mouse.up()


def _open_task(page, url: str, project_id: int, task_id: int, first_word: str) -> None:
    page.goto(f"{url}/projects/{project_id}/data?task={task_id}")
    page.locator(".lsf-richtext__line", has_text=first_word).first.wait_for(timeout=60_000)


def _wait_for_annotation(admin, task_id: int, *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if admin.tasks.get(id=task_id).total_annotations:
            return
        time.sleep(0.5)
    raise AssertionError(f"task {task_id}: the submitted annotation never reached the server")


def test_a_browser_session_records_accepted_changed_and_hand_made_spans(label_studio, browser, tmp_path, runner):
    from label_studio_sdk import LabelStudio

    options, _, credentials = label_studio
    env = {"LABEL_STUDIO_URL": options.url, "LABEL_STUDIO_API_KEY": credentials.token}
    config = tmp_path / "newsspan.toml"
    config.write_text('[label_studio]\nproject_title = "browser session"\n', encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    work = tmp_path / "t"
    assert runner.invoke(cli, ["-q", "ingest", str(articles), "--out", str(work)]).exit_code == 0
    documents = pq.read_table(work / "documents.parquet").to_pylist()
    assert len(documents) == 2, "both articles ingested"
    (tmp_path / "pre").mkdir()
    pq.write_table(_predictions(documents), tmp_path / "pre" / "spans.parquet")
    push = ["--config", str(config), "label", "push", str(work / "documents.parquet")]
    push += ["--predictions", str(tmp_path / "pre" / "spans.parquet"), "--stance-target", "the quota plan", "--json"]
    pushed = runner.invoke(cli, push, env=env)
    assert pushed.exit_code == 0, pushed.output
    report = json.loads(pushed.stdout)
    assert report["prefill_predictions"] is True and report["created"] == 2
    project_id = report["project_id"]
    admin = LabelStudio(base_url=options.url, api_key=credentials.token)
    tasks = {t.data["doc_id"]: t.id for t in admin.tasks.list(project=project_id, fields="all")}
    doc_of = {d["source"].rsplit("/", 1)[-1]: d for d in documents}
    harbour, ferry = tasks[doc_of["harbour.txt"]["doc_id"]], tasks[doc_of["ferry.txt"]["doc_id"]]

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{options.url}/user/login/")
        page.fill("input[name=email]", credentials.username)
        page.fill("input[name=password]", credentials.password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda u: "/user/login" not in u)

        _open_task(page, options.url, project_id, harbour, "Marta Velloso")
        # the task opens with both predictions in the draft (they render after the text)
        page.locator(".htx-highlight").nth(1).wait_for(timeout=60_000)
        assert page.locator(".htx-highlight").count() == 2
        page.get_by_text("Harbour Council", exact=True).last.click()  # select the predicted region...
        _label(page, "ORG").click()  # ...and relabel it: GPE -> ORG (prediction-changed)
        page.keyboard.press("Escape")
        _label(page, "GPE").click()  # a label first, then a drag: a span drawn by hand
        _drag_over(page, "Quillon")
        page.locator("label.lsf-choice__checkbox:visible", has_text="AGAINST").click()  # the document stance
        page.screenshot(path=str(tmp_path / "before-submit.png"))
        page.get_by_test_id("bottombar-submit-button").click()
        _wait_for_annotation(admin, harbour)

        blank = runner.invoke(cli, [*push[:-1], "--no-prefill", "--json"], env=env)  # the same push, no pre-fill
        assert blank.exit_code == 0, blank.output
        assert json.loads(blank.stdout)["prefill_predictions"] is False
        assert admin.projects.get(id=project_id).show_collab_predictions is False
        # the label stream ("Label All Tasks", how annotators work through a project) serves the
        # next task, the unannotated ferry article, blank
        page.goto(f"{options.url}/projects/{project_id}/data?labeling=1")
        page.locator(".lsf-richtext__line", has_text="Ferry strike ends").first.wait_for(timeout=60_000)
        page.get_by_test_id("bottombar-submit-button").wait_for(timeout=60_000)  # the draft is ready
        page.get_by_text("Labeled regions will appear here").wait_for(timeout=30_000)  # the empty outliner
        assert page.locator(".htx-highlight").count() == 0, "with --no-prefill the task opens blank"
        page.screenshot(path=str(tmp_path / "blank.png"))
    finally:
        page.close()
    assert len(admin.predictions.list(task=ferry)) == 1, "the prediction stays on the task"

    # a relation with two labels, as the API (or an older config) allows: quarantined, not guessed
    text = doc_of["ferry.txt"]["text"]

    def span(region: str, label: str, words: str) -> dict:
        start = text.index(words)
        value = {"start": start, "end": start + len(words), "text": words, "labels": [label]}
        return {"id": region, "from_name": "quote", "to_name": "text", "type": "labels", "value": value}

    both = {"from_id": "q1", "to_id": "s1", "type": "relation", "direction": "right", "labels": ["said_by", "cued_by"]}
    result = [span("q1", "QUOTE", "we will go back to work"), span("s1", "SPEAKER", "The union leader"), both]
    admin.annotations.create(id=ferry, result=result, lead_time=9.0)

    pulled = runner.invoke(cli, ["--config", str(config), "label", "pull", "--out", str(work), "--json"], env=env)
    assert pulled.exit_code == 0, pulled.output
    out = tmp_path / "corpus"
    built = runner.invoke(
        cli, ["-q", "build", str(articles), "--export", str(work / "label-studio-export.json"), "--out", str(out)]
    )
    assert built.exit_code == 0, built.output
    human = [s for s in pq.read_table(out / "spans.parquet").to_pylist() if s["origin"] == "human"]
    by_text = {
        (s["label"], s["text"]): s["provenance"] for s in human if s["doc_id"] == doc_of["harbour.txt"]["doc_id"]
    }
    assert by_text == {
        ("PERSON", "Marta Velloso"): "prediction",  # accepted unchanged
        ("ORG", "Harbour Council"): "prediction-changed",  # the predicted GPE, relabelled
        ("GPE", "Quillon"): "manual",  # drawn by hand
    }
    stance = [s for s in pq.read_table(out / "stance.parquet").to_pylist() if s["origin"] == "human"]
    assert [(s["scope"], s["value"], s["target"]) for s in stance] == [("document", "AGAINST", "the quota plan")]
    annotation = next(a for a in pq.read_table(out / "annotations.parquet").to_pylist() if a["task_id"] == harbour)
    assert annotation["prediction_model"] == MODEL, "the annotation names the prediction it started from"
    (quarantined,) = [q for q in pq.read_table(out / "quarantine.parquet").to_pylist() if q["stage"] == "convert"]
    assert quarantined["reason"] == "relation_label_count"
    assert f"task {ferry}" in quarantined["detail"] and "said_by" in quarantined["detail"]
    assert "cued_by" in quarantined["detail"]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "manual 1 (" in card and "prediction 1 (" in card and "prediction-changed 1 (" in card
