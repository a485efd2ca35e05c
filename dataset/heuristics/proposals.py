"""What every text heuristic returns: a proposed span, and the default thresholds.

The heuristics (``boilerplate``, ``quotes``, ``entities``) take a text and return
:class:`Proposal` objects: no tables, no I/O. Ingest uses the boilerplate line rules to tell an
article from a page of widgets; pre-annotation turns proposals into prediction rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from newsspan.dataset.config import PreannotateOptions

__all__ = ["DEFAULTS", "Proposal"]

DEFAULTS: Final = PreannotateOptions()  # the thresholds when a caller passes none


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed span: label, code-point offsets into the text, and the rule that fired."""

    label: str
    start: int
    end: int
    rule: str
