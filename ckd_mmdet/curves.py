# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Curves of runs from MMEngine's ``vis_data/scalars.json``: several runs in one figure,
training scalars and validation metrics (``coco/bbox_mAP``) against the iteration.

MMEngine writes a training row per logged iteration (``iter``) and a validation row per
validation without it (``step`` is then the epoch, 0 in iteration-based loops), so a
validation row is placed at the last training iteration logged before it. A resumed run
writes one timestamped folder per start: they are read in order, later rows replacing
earlier ones of the same iteration."""
import json
import math
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

Rows = Dict[int, dict]


def scalar_files(run: str) -> List[Path]:
    """A run's ``scalars.json`` files in time order: ``run`` is one such file, or a work
    directory (its ``<timestamp>/vis_data/scalars.json``)."""
    path = Path(run)
    if path.is_file():
        return [path]
    files = sorted(path.glob('*/vis_data/scalars.json'))
    if not files:
        raise FileNotFoundError(f'{run}: no scalars.json file, nor a work directory with '
                                '<timestamp>/vis_data/scalars.json (a run logged by MMEngine)')
    return files


def read_scalars(run: str) -> Tuple[Rows, Rows]:
    """({iteration: training row}, {iteration: validation row}) of ``run``."""
    train, val = {}, {}
    for file in scalar_files(run):
        last = 0
        for number, line in enumerate(file.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f'{file}, line {number}: not a JSON row ({error.msg})') from None
            if 'iter' in row:
                last = row['iter']
                train[last] = row
            else:
                val[last] = row
    return train, val


def curve(rows: Tuple[Rows, Rows], key: str) -> List[Tuple[int, float]]:
    """(iteration, value) of ``key`` in a run's training or validation rows."""
    train, val = rows
    return sorted((i, row[key]) for table in (train, val) for i, row in table.items()
                  if key in row)


def non_finite(points: Sequence[Tuple[int, float]]) -> Optional[int]:
    """The first iteration whose value is NaN or infinite, or None."""
    return next((i for i, value in points if not math.isfinite(value)), None)


def plot(runs: Dict[str, Tuple[Rows, Rows]], keys: Sequence[str], out: str,
         title: Optional[str] = None) -> None:
    """One panel per key, one line per run in the same colour in every panel (validation
    metrics with markers); a key a run never logged is left out of its panel, and a panel no
    run has says so."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    columns = min(3, len(keys))
    rows = math.ceil(len(keys) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.4 * columns, 3.2 * rows),
                                squeeze=False)
    colours = {name: f'C{index % 10}' for index, name in enumerate(runs)}  # one per run
    for axis, key in zip(axes.flat, keys):
        drawn = False
        for name, scalars in runs.items():
            points = curve(scalars, key)
            if points:
                validation = any(key in row for row in scalars[1].values())
                axis.plot([i for i, _ in points], [v for _, v in points], label=name,
                          color=colours[name], marker='o' if validation else None,
                          markersize=3)
                drawn = True
        axis.set_title(key, fontsize=9)
        axis.set_xlabel('iteration', fontsize=8)
        axis.tick_params(labelsize=7)
        if drawn:
            axis.legend(fontsize=7)
        else:
            axis.text(0.5, 0.5, f'no run logged {key}', ha='center', va='center',
                      transform=axis.transAxes, fontsize=8)
    for axis in list(axes.flat)[len(keys):]:
        axis.set_visible(False)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    plt.close(figure)
