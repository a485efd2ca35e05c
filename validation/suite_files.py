"""Expectation suites as reviewed JSON files, generated from :mod:`newsspan.validation.rules`.

A suite file is what GX serialises, without its random ids or version stamp, keys sorted, so a
diff shows exactly which rule changed. ``write_suites`` regenerates them (``newsspan validate
--write-suites``); ``load_suite`` rebuilds a GX suite and refuses a file whose expectations GX
does not all recognise (GX drops unknown expectation types silently).
"""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Any

from newsspan.dataset.errors import NewsspanError
from newsspan.validation.rules import RULES, SUITES

__all__ = ["generated_suites", "load_suite", "read_suite_files", "suite_folder", "write_suites"]


def generated_suites() -> dict[str, dict[str, Any]]:
    """Every suite as the plain dict its file holds."""
    return {
        name: {
            "name": name,
            "meta": {"generated_from": "newsspan.validation.rules"},
            "notes": None,
            "expectations": [
                {
                    "type": rule.expectation,
                    "kwargs": rule.kwargs,
                    "severity": rule.severity,
                    "meta": {"rule_id": rule.rule_id, "description": rule.description},
                }
                for rule in RULES
                if rule.suite == name
            ],
        }
        for name in SUITES
    }


def _text(suite: dict[str, Any]) -> str:
    return json.dumps(suite, indent=2, sort_keys=True) + "\n"


def suite_folder() -> Path:
    """The packaged ``validation/suites`` folder."""
    return Path(str(importlib.resources.files("newsspan.validation").joinpath("suites")))


def write_suites(folder: Path | None = None) -> list[Path]:
    """(Re)write the suite files from the rules; returns the paths written."""
    target = folder or suite_folder()
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, suite in generated_suites().items():
        path = target / f"{name}.json"
        path.write_text(_text(suite), encoding="utf-8")
        written.append(path)
    return written


def read_suite_files(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """The suite files as dicts, by suite name."""
    source = folder or suite_folder()
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(source.glob("*.json"))}


def load_suite(data: dict[str, Any]) -> Any:
    """A ``great_expectations.ExpectationSuite`` from a suite file's dict (GX imported here)."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=data["name"], expectations=data["expectations"], meta=data.get("meta"))
    if len(suite.expectations) != len(data["expectations"]):
        raise NewsspanError(
            f"suite {data['name']}: GX recognised {len(suite.expectations)} of {len(data['expectations'])} "
            "expectations; an expectation type is unknown to this great-expectations version"
        )
    return suite
