"""The card's plots, as PNG files in the build folder (matplotlib, Agg backend, no display)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import LAYERS, STANCE_VALUES

__all__ = ["outlet_label", "render_plots"]

PLOTS = {"labels": "label_distribution", "outlets": "spans_per_outlet", "stance": "stance_by_outlet"}
STANCE_COLOURS = dict(zip(STANCE_VALUES, ("#3cb44b", "#e6194b", "#a9a9a9", "#f58231"), strict=True))


def render_plots(
    folder: BuildFolder,
    *,
    labels: Counter[str],
    per_outlet: list[tuple[str, int]],
    stance: Counter[tuple[str, str]],
    kind: str = "Gold",
) -> dict[str, str]:
    """Spans per label and layer, spans per outlet (bars in the order given), document stance by
    outlet (``(outlet, value) -> documents``) of the published layer (``kind``: "Gold", or
    "Predicted" in a predictions-only build); outlet names already through
    :func:`outlet_label`. Returns each plot's path relative to the build folder."""
    import matplotlib

    matplotlib.use("Agg")
    # outlet names are data: "$\\macro$" must be drawn as typed, never parsed as mathtext
    with matplotlib.rc_context({"text.parse_math": False}):
        return _render(folder, labels=labels, per_outlet=per_outlet, stance=stance, kind=kind)


def outlet_label(name: str, width: int = 40) -> str:
    """An outlet name as one short tick label."""
    name = " ".join(name.split())
    return name if len(name) <= width else name[: width - 1] + "…"


def _render(
    folder: BuildFolder,
    *,
    labels: Counter[str],
    per_outlet: list[tuple[str, int]],
    stance: Counter[tuple[str, str]],
    kind: str,
) -> dict[str, str]:
    import matplotlib.pyplot as plt

    folder.plots.mkdir(exist_ok=True)
    figure, axes = plt.subplots(1, len(LAYERS), figsize=(4 * len(LAYERS), 3.2), squeeze=False)
    for axis, layer in zip(axes[0], LAYERS, strict=True):  # schema order, zeros shown
        axis.barh(list(layer.label_names), [labels[label] for label in layer.label_names], color="#4363d8")
        axis.set_title(layer.name)
        axis.invert_yaxis()
    figure.suptitle(f"{kind} spans per label")
    _save(figure, folder.plot(PLOTS["labels"]))

    figure, axis = plt.subplots(figsize=(7, 3.2))
    axis.barh([name for name, _ in per_outlet], [count for _, count in per_outlet], color="#3cb44b")
    axis.invert_yaxis()
    axis.set_title(f"{kind} spans per outlet")
    _save(figure, folder.plot(PLOTS["outlets"]))

    names = sorted({outlet for outlet, _ in stance})
    figure, axis = plt.subplots(figsize=(7, 3.2))
    left = [0] * len(names)
    for value, color in STANCE_COLOURS.items():
        widths = [stance[(name, value)] for name in names]
        axis.barh(names, widths, left=left, label=value, color=color)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axis.legend(loc="lower right", fontsize=8)
    axis.invert_yaxis()
    axis.set_title("Document stance toward the target, by outlet")
    _save(figure, folder.plot(PLOTS["stance"]))
    return {key: folder.relative(folder.plot(name)) for key, name in PLOTS.items()}


def _save(figure: Any, path: Path) -> None:
    from matplotlib.ticker import MaxNLocator

    for axis in figure.axes:
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts
    figure.tight_layout()
    figure.savefig(path, dpi=110, metadata={"Software": None})  # no version stamp: same inputs, same bytes
    import matplotlib.pyplot as plt

    plt.close(figure)
