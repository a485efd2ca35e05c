"""Runs of lines: menus and headline lists, recognised by the shape of several lines in a row.

One short line is a subheading as often as a menu item; a run of them is a menu. A **menu run**
is ``menu_min_run`` or more lines in a row of at most ``menu_max_words`` words that do not read
as sentences ("Home", "World", "Things to Do"), counting lines a rule already labelled as part
of the run. A **headline list** is ``headline_run_min`` or more headline-shaped lines in a row
(a teaser list of other stories, with no trailing "…"); it is not one when prose stands on both
sides of it, since an article may hold a short list of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.lines import Line, is_headline_shaped

__all__ = ["cued_runs", "headline_lists", "menu_runs"]


def menu_runs(lines: Sequence[Line], labelled: Sequence[bool], options: PreannotateOptions) -> set[int]:
    """Indices of lines in menu runs; ``labelled`` says which lines a rule already labelled."""
    found: set[int] = set()
    run: list[int] = []
    for line in [*lines, None]:
        if line is not None and (labelled[line.index] or _menu_shaped(line, options)):
            run.append(line.index)
            continue
        if sum(1 for i in run if not labelled[i]) >= options.menu_min_run:
            found.update(run)
        run = []
    return found


def _menu_shaped(line: Line, options: PreannotateOptions) -> bool:
    return line.words <= options.menu_max_words and not line.sentence and line.text[-1:] not in ".!?。！？"


def headline_lists(lines: Sequence[Line], labelled: Sequence[bool], options: PreannotateOptions) -> set[int]:
    """Indices of lines in headline lists (see the module)."""
    found: set[int] = set()
    run: list[int] = []
    for line in [*lines, None]:
        if line is not None and not labelled[line.index] and _headline(line, options):
            run.append(line.index)
            continue
        if len(run) >= options.headline_run_min and not _prose_around(lines, run[0], run[-1]):
            found.update(run)
        run = []
    return found


def cued_runs(found: set[int], labelled: Sequence[bool]) -> set[int]:
    """The lines of the runs in ``found`` whose line before is ``labelled`` (a cue: "More from UK")."""
    cued: set[int] = set()
    for index in sorted(found):
        if index - 1 in cued or (index - 1 not in found and index > 0 and labelled[index - 1]):
            cued.add(index)
    return cued


def _headline(line: Line, options: PreannotateOptions) -> bool:
    shaped = is_headline_shaped(line.text, min_words=3, max_words=options.headline_max_words)
    return shaped and not line.sentence


def _prose_around(lines: Sequence[Line], first: int, last: int) -> bool:
    return first > 0 and last + 1 < len(lines) and lines[first - 1].is_prose and lines[last + 1].is_prose
