"""The build's outputs do not change by accident: a content digest of every table and report.

Each build folder file that the data decides (every Parquet table and config file, the JSON and
Markdown reports) is reduced to a digest of its content: the Arrow schema with its metadata and
the rows, for Parquet (so the digest does not depend on the Parquet writer's version stamp); the
text, for reports. The digests of a build of the bundled sample and of the seeds are pinned in
``tests/data/build_golden/``. A refactoring must leave them as they are; a deliberate change of
behaviour regenerates them with ``NEWSSPAN_REGENERATE_GOLDEN=1 pytest tests/test_build_golden.py``
and the diff of the JSON file shows which outputs changed.

The manifest and the card are left out: they hold package versions and byte fingerprints.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "data" / "build_golden"
REGENERATE = os.environ.get("NEWSSPAN_REGENERATE_GOLDEN") == "1"
SKIPPED = {"manifest.json", "README.md"}  # versions and byte fingerprints


def content_digests(folder: Path) -> dict[str, str]:
    """{relative path: sha256 of its content} for the data files of a build folder."""
    import pyarrow.parquet as pq

    digests = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name in SKIPPED or path.suffix not in {".parquet", ".json", ".md"}:
            continue
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            content = repr(table.schema.to_string(show_schema_metadata=True)) + json.dumps(
                table.to_pylist(), sort_keys=True, default=str, ensure_ascii=False
            )
        else:
            content = path.read_text(encoding="utf-8")
        digests[name] = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return digests


def _check(name: str, folder: Path) -> None:
    golden = GOLDEN / f"{name}.json"
    found = content_digests(folder)
    if REGENERATE:
        golden.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    changed = sorted(k for k in expected.keys() & found.keys() if expected[k] != found[k])
    assert (sorted(expected.keys() - found.keys()), sorted(found.keys() - expected.keys()), changed) == ([], [], []), (
        f"the {name} build's outputs changed (missing, new, changed files); if that is deliberate, "
        "regenerate with NEWSSPAN_REGENERATE_GOLDEN=1"
    )


@pytest.mark.integration
def test_the_sample_build_writes_the_pinned_outputs(runner, tmp_path):
    from newsspan.dataset.cli import cli

    result = runner.invoke(cli, ["-q", "build", "--out", str(tmp_path / "sample")])
    assert result.exit_code == 0, result.output
    _check("sample", tmp_path / "sample")


@pytest.mark.integration
def test_the_seeds_build_writes_the_pinned_outputs(runner, tmp_path, seeds_dir):
    from newsspan.dataset.cli import cli

    result = runner.invoke(cli, ["-q", "build", str(seeds_dir), "--language", "en", "--out", str(tmp_path / "seeds")])
    assert result.exit_code == 0, result.output
    _check("seeds", tmp_path / "seeds")
