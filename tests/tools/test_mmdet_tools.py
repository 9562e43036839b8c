"""A distillation config is an ordinary MMDetection config: MMDetection's own train.py (the one
its wheel ships under .mim/tools/, which `mim train mmdet` runs) trains it as ours does, and
the checkpoint tests through ours with the plain student config."""
import re
import subprocess
import sys
from pathlib import Path

import mmdet
import pytest
import torch
from helpers import DISTILL_CONFIG, REPO, STUDENT_CONFIG

from ckd_mmdet.runs import data_root_options

MMDET_TRAIN = Path(mmdet.__file__).parent / '.mim' / 'tools' / 'train.py'


@pytest.mark.slow
@pytest.mark.skipif(not MMDET_TRAIN.is_file(), reason=f'the mmdet wheel has no {MMDET_TRAIN}')
def test_mmdet_train_py_trains_a_distillation_config(tmp_path, shapes_root, teacher_ckpt):
    work_dir = tmp_path / 'work'
    result = subprocess.run(
        [sys.executable, '-W', 'ignore', str(MMDET_TRAIN), str(DISTILL_CONFIG), '--work-dir',
         str(work_dir), '--cfg-options', f'model.teacher_ckpt={teacher_ckpt}',
         'train_cfg.max_iters=2', 'train_cfg.val_interval=100',
         *data_root_options(shapes_root)],
        capture_output=True, text=True, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert re.search(r'Iter\(train\) \[2/2\].* loss_ckd: \d+\.\d+', log)
    assert f'teacher weights loaded from {teacher_ckpt}' in log
    # The config, not our train.py, brings the exact-resume hook.
    assert re.search(r'\(VERY_LOW\s*\) ResumeRandomStateHook', log), 'hook not registered'
    checkpoint = torch.load(work_dir / 'iter_2.pth', weights_only=False)
    assert 'torch_rng_state' in checkpoint['meta']

    tested = subprocess.run(
        [sys.executable, '-W', 'ignore', str(REPO / 'tools' / 'test.py'), str(STUDENT_CONFIG),
         str(work_dir / 'iter_2.pth'), '--work-dir', str(tmp_path / 'test'), '--cfg-options',
         *data_root_options(shapes_root)], capture_output=True, text=True, timeout=600)
    log = tested.stdout + tested.stderr
    assert tested.returncode == 0, log[-4000:]
    assert re.search(r'coco/bbox_mAP: -?\d\.\d+', log)
    assert 'missing keys' not in log and 'unexpected key' not in log
