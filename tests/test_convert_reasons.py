"""The conversion quarantine catalogue: every reason has a golden case, every golden reason is declared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest

from newsspan.labeling.align import AlignReason
from newsspan.labeling.convert import CONVERT_REASONS

CASES = Path(__file__).resolve().parent / "data" / "exports"


def _golden_reasons() -> dict[str, set[str]]:
    """Each quarantine reason expected by a golden case → the cases that expect it."""
    found: dict[str, set[str]] = {}
    for case in sorted(p for p in CASES.iterdir() if p.is_dir()):
        expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
        for row in expected["quarantine"]:
            found.setdefault(row["reason"], set()).add(case.name)
    return found


GOLDEN = _golden_reasons()


@pytest.mark.parametrize("reason", CONVERT_REASONS, ids=CONVERT_REASONS)
def test_every_convert_reason_has_a_golden_case(reason):
    assert reason in GOLDEN, f"no case under tests/data/exports/ expects {reason!r}: add a folder that produces it"


def test_every_golden_reason_is_in_the_catalogue():
    stray = {reason: sorted(cases) for reason, cases in GOLDEN.items() if reason not in CONVERT_REASONS}
    assert stray == {}, "declare these in newsspan.labeling.convert_reasons.ConvertReason (or fix the case)"


def test_the_catalogue_names_each_reason_once_and_includes_the_alignment_refusals():
    assert len(set(CONVERT_REASONS)) == len(CONVERT_REASONS)
    assert set(get_args(AlignReason)) <= set(CONVERT_REASONS)
