"""ckd_mmdet.curves and tools/plot_curves.py on MMEngine's scalars.json rows: a resumed run is
one curve, validation rows sit at the last trained iteration, bad input is named."""
import json
import subprocess
import sys

import pytest
from helpers import REPO

from ckd_mmdet.curves import curve, non_finite, plot, read_scalars


def write_run(root, starts):
    """A work dir with one ``<timestamp>/vis_data/scalars.json`` per start (lists of rows)."""
    for number, rows in enumerate(starts):
        folder = root / f'2026120{number + 1}_000000' / 'vis_data'
        folder.mkdir(parents=True)
        (folder / 'scalars.json').write_text(''.join(json.dumps(row) + '\n' for row in rows))
    return root


def test_a_resumed_run_is_one_curve_and_validation_sits_at_its_iteration(tmp_path):
    run = write_run(tmp_path / 'ckd', [
        [{'loss': 3.0, 'iter': 1, 'step': 1}, {'loss': 2.0, 'iter': 2, 'step': 2},
         {'coco/bbox_mAP': 0.1, 'step': 0}, {'loss': 1.5, 'iter': 3, 'step': 3}],
        [{'loss': 1.4, 'iter': 3, 'step': 3}, {'loss': float('nan'), 'iter': 4, 'step': 4},
         {'coco/bbox_mAP': 0.3, 'step': 0}]])  # resumed from iteration 2
    scalars = read_scalars(run)
    assert curve(scalars, 'loss') == [(1, 3.0), (2, 2.0), (3, 1.4), (4, pytest.approx(
        float('nan'), nan_ok=True))]
    assert curve(scalars, 'coco/bbox_mAP') == [(2, 0.1), (4, 0.3)]
    assert non_finite(curve(scalars, 'loss')) == 4
    assert curve(scalars, 'teacher_acc') == []
    out = tmp_path / 'curves.png'
    plot({'ckd': scalars}, ['loss', 'coco/bbox_mAP', 'teacher_acc'], str(out))
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_bad_input_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='no scalars.json'):
        read_scalars(tmp_path)
    bad = tmp_path / 'scalars.json'
    bad.write_text('{"loss": 1.0, "iter": 1}\n{"loss": \n')
    with pytest.raises(ValueError, match=r'scalars.json, line 2: not a JSON row'):
        read_scalars(bad)
    done = subprocess.run([sys.executable, str(REPO / 'tools' / 'plot_curves.py'),
                           str(tmp_path / 'missing'), '--out', str(tmp_path / 'x.png')],
                          capture_output=True, text=True)
    assert done.returncode != 0 and 'missing: no scalars.json file' in done.stderr
    assert 'Traceback' not in done.stderr
