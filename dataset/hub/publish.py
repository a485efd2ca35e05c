"""Publishing a build to the Hugging Face Hub.

Only the dataset goes up: the README (card and YAML), the config folders of Parquet files and
the manifest. The corpus tables and the raw Label Studio exports stay local: they carry annotator
e-mails and are the project's working data. A build that failed validation is refused. The
token comes from ``HF_TOKEN`` or the ``huggingface-cli login`` store; it is never printed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from newsspan.dataset.errors import InputError, NewsspanError
from newsspan.dataset.hub.features import CONFIGS
from newsspan.dataset.layout import BuildFolder

__all__ = ["ALLOW_PATTERNS", "publish_build", "upload_plan"]

_LAYOUT = BuildFolder(Path())
# the card, the manifest, the card's plots and every config's Parquet files, as the layout names them
ALLOW_PATTERNS = [
    _LAYOUT.readme.name,
    _LAYOUT.manifest.name,
    f"{_LAYOUT.plots.name}/*.png",
    *[f"{_LAYOUT.config(config).name}/*.parquet" for config in CONFIGS],
]
_REPO_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


def upload_plan(build: Path) -> list[Path]:
    """The files of ``build`` that a publish uploads, relative to it."""
    from fnmatch import fnmatch

    files = sorted(p.relative_to(build) for p in build.rglob("*") if p.is_file())
    return [f for f in files if any(fnmatch(f.as_posix(), pattern) for pattern in ALLOW_PATTERNS)]


def _manifest(build: Path) -> dict[str, Any]:
    path = BuildFolder(build).manifest
    if not path.is_file():
        raise InputError(f"{build} is not a newsspan build (no manifest.json); run `newsspan build` first", path=path)
    return dict(json.loads(path.read_text(encoding="utf-8")))


def publish_build(
    build: Path, repo_id: str, *, private: bool = False, dry_run: bool = False, api: Any = None
) -> dict[str, Any]:
    """Upload ``build`` to the dataset repo ``repo_id`` (or, with ``dry_run``, say what would go)."""
    if not _REPO_ID.match(repo_id):
        raise NewsspanError(f"--repo-id {repo_id!r} is not ORG/NAME (for example my-lab/news-quotes)")
    manifest = _manifest(build)
    validation = manifest.get("validation") or {}
    if not validation.get("passed"):
        raise NewsspanError(
            f"{build} did not pass validation ({', '.join(validation.get('failed', {})) or 'no report'}); "
            "fix the data and rebuild before publishing"
        )
    files = upload_plan(build)
    plan = {
        "repo_id": repo_id,
        "private": private,
        "fingerprint": manifest.get("fingerprint"),
        "files": [f.as_posix() for f in files],
        "bytes": sum((build / f).stat().st_size for f in files),
    }
    if dry_run:
        return plan | {"dry_run": True}
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    message = f"newsspan {manifest.get('newsspan')} build {str(manifest.get('fingerprint'))[:12]}"
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id,
            folder_path=str(build),
            repo_type="dataset",
            allow_patterns=ALLOW_PATTERNS,
            commit_message=message,
        )
    except Exception as exc:  # the Hub client raises many types; all become one clear message
        raise NewsspanError(
            f"publishing to {repo_id} failed: {type(exc).__name__}: {exc}; check the network, HF_TOKEN (or "
            "`huggingface-cli login`) and HF_HUB_OFFLINE, or use --dry-run to see what would be uploaded"
        ) from None
    return plan | {"dry_run": False, "commit": str(getattr(commit, "commit_url", commit))}
