"""Publishing: the dry run, the refusal of a failed build, and the requests made to the Hub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsspan.dataset.cli import cli
from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.hub.publish import ALLOW_PATTERNS, publish_build


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    from newsspan.dataset.build import build_corpus
    from newsspan.dataset.config import IngestOptions

    out = tmp_path_factory.mktemp("publish") / "corpus"
    build_corpus(None, out, options=IngestOptions())
    return out


class RecordingHub:
    """Stands in for huggingface_hub.HfApi and records the requests (no network here)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []

    def create_repo(self, *args, **kwargs):
        self.calls.append(("create_repo", args, kwargs))
        return "https://hub.invalid/datasets/my-lab/news"

    def upload_folder(self, **kwargs):
        self.calls.append(("upload_folder", (), kwargs))
        return type("Commit", (), {"commit_url": "https://hub.invalid/commit/1"})()


def test_dry_run_lists_only_the_dataset_files(build, runner):
    result = runner.invoke(cli, ["publish", str(build), "--repo-id", "my-lab/news", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["dry_run"] is True and plan["repo_id"] == "my-lab/news"
    assert "README.md" in plan["files"] and "documents/train-00000-of-00001.parquet" in plan["files"]
    assert not any(f.startswith("exports/") or f == "spans.parquet" for f in plan["files"])


def test_the_upload_request_is_built_from_the_manifest(build):
    hub = RecordingHub()
    result = publish_build(build, "my-lab/news", private=True, api=hub)
    (create, _, create_kwargs), (upload, _, upload_kwargs) = hub.calls
    assert (create, create_kwargs) == ("create_repo", {"repo_type": "dataset", "private": True, "exist_ok": True})
    assert upload == "upload_folder"
    assert upload_kwargs["repo_type"] == "dataset" and upload_kwargs["allow_patterns"] == ALLOW_PATTERNS
    manifest = json.loads((build / "manifest.json").read_text())
    assert upload_kwargs["commit_message"] == f"newsspan {manifest['newsspan']} build {manifest['fingerprint'][:12]}"
    assert result["commit"] == "https://hub.invalid/commit/1"


def test_a_build_that_failed_validation_is_refused(build, tmp_path):
    import shutil

    failed = tmp_path / "failed"
    shutil.copytree(build, failed)
    manifest = json.loads((failed / "manifest.json").read_text())
    manifest["validation"] = {"passed": False, "failed": {"SPAN-012": "critical"}}
    (failed / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(NewsspanError, match="did not pass validation \\(SPAN-012\\)"):
        publish_build(failed, "my-lab/news", api=RecordingHub())


def test_offline_is_a_clear_error_and_bad_repo_ids_are_refused(build, runner):
    result = runner.invoke(cli, ["publish", str(build), "--repo-id", "my-lab/news"])  # HF_HUB_OFFLINE=1 in tests
    assert result.exit_code == 1
    assert "publishing to my-lab/news failed: OfflineModeIsEnabled" in result.stderr
    assert "Traceback" not in result.output
    with pytest.raises(NewsspanError, match="is not ORG/NAME"):
        publish_build(build, "no-slash", dry_run=True)


def test_published_annotations_carry_pseudonyms_not_emails(build):
    import pyarrow.parquet as pq

    annotators = set(
        pq.read_table(build / "annotations" / "train-00000-of-00001.parquet").column("annotator").to_pylist()
    )
    assert annotators and all(a.startswith("annotator-") for a in annotators)
    assert not any("@" in a for a in annotators)
