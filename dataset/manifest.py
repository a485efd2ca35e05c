"""The manifest stage: ``manifest.json``, the build's record, from the reports of the stages
that ran before it.

Every stage's counts under its name (``ingest``, ``convert``, ``gold``, ``agreement``,
``quality``, ``validation``, ``dataset``), the provenance the stages recorded from what they read
(``inputs``: every article file with its sha256 as ingest read it; ``exports``: each kept Label
Studio export), the versions of newsspan, Python and the packages that decide the output, and
the sha256 of every file in the folder with one fingerprint over them, and the ``engine`` the
row-level stages ran on (Spark with its version and master, or this process). ``counts`` repeats the
ingest counts at the top for scripts written against earlier manifests.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
from typing import Any

from newsspan.dataset.io import file_sha256, write_json
from newsspan.dataset.stage import StageContext, StageReport

__all__ = ["PACKAGES", "ManifestStage", "version"]

PACKAGES = ("pyarrow", "polars", "datasets", "great-expectations", "label-studio-sdk")


def version() -> str:
    """The installed newsspan version."""
    return importlib.metadata.version("newsspan")


class ManifestStage:
    """Write ``manifest.json``; its report's counts are the manifest itself."""

    name = "manifest"

    def run(self, context: StageContext) -> StageReport:
        folder = context.folder
        files = {folder.relative(p): file_sha256(p) for p in folder.files()}
        fingerprint = hashlib.sha256("".join(f"{n}:{h}\n" for n, h in files.items()).encode()).hexdigest()
        manifest: dict[str, Any] = {
            "newsspan": version(),
            "python": platform.python_version(),
            "packages": {name: _package_version(name) for name in PACKAGES},
        }
        for report in context.reports.values():
            manifest[report.stage] = report.counts
            manifest.update(report.provenance)
        if "ingest" in context.reports:
            manifest["counts"] = context.reports["ingest"].counts
        manifest["engine"] = _engine(context)
        manifest |= {"outputs": files, "fingerprint": fingerprint}
        write_json(manifest, folder.manifest)
        return StageReport(
            self.name,
            manifest,
            summary=(f"fingerprint {fingerprint[:16]}",),
            files=(folder.relative(folder.manifest),),
        )


def _engine(context: StageContext) -> dict[str, Any]:
    """Where the row-level stages ran: Spark's name, version and master as its stages recorded
    them, else this process."""
    for report in context.reports.values():
        engine = report.counts.get("engine") if isinstance(report.counts, dict) else None
        if engine:
            return dict(engine)
    return {"name": "local", "version": platform.python_version()}


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None
