"""Every config of configs/reviewckd/ trains through tools/train.py on tiny_coco (50 real COCO
images): random-weight teacher, nothing downloaded, small images, a few iterations."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, TINY_COCO, needs_tiny_coco

pytestmark = needs_tiny_coco()
CONFIGS = sorted((REPO / 'configs' / 'reviewckd').glob('*.py'))


def tiny_coco_options(root):
    root = f'{Path(root).resolve()}/'
    loaders = [f'{split}_dataloader.{key}'
               for split in ('train', 'val', 'test')
               for key in ('num_workers=0', 'persistent_workers=False')]
    roots = [f'{split}_dataloader.dataset.data_root={root}' for split in ('train', 'val', 'test')]
    return [*roots,
            f'val_evaluator.ann_file={root}annotations/instances_val2017.json',
            f'test_evaluator.ann_file={root}annotations/instances_val2017.json', *loaders]


@pytest.mark.parametrize('config', CONFIGS, ids=lambda p: p.stem)
def test_trains_a_few_iterations_on_tiny_coco(tmp_path, config):
    options = [
        'model.teacher_ckpt=None', 'model.backbone.init_cfg=None',  # random weights, offline
        'train_dataloader.batch_size=2', 'train_cfg.max_iters=2', 'train_cfg.val_begin=1000',
        'default_hooks.logger.interval=1',
        'train_dataloader.dataset.pipeline.2.scales=[(320,192),(320,224)]',
        *tiny_coco_options(TINY_COCO)]
    result = subprocess.run(
        [sys.executable, '-W', 'ignore', str(REPO / 'tools' / 'train.py'), str(config),
         '--work-dir', str(tmp_path), '--cfg-options', *options],
        capture_output=True, text=True, timeout=900, env={**os.environ, 'PYTHONHASHSEED': '0'})
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    method = config.stem.split('_')[0]
    expected = {'reviewckd': ('loss_ckd', 'loss_hcl'), 'reviewkd': ('loss_hcl',),
                'reviewdkd': ('loss_dkd', 'loss_hcl'), 'ckd-pkd': ('loss_ckd', 'loss_pkd')}
    line = re.search(r'Iter\(train\) \[2/2\].*', log)
    assert line, log[-3000:]
    for key in expected[method]:
        assert re.search(rf' {key}: \d+\.\d+', line.group(0)), line.group(0)
    if method == 'reviewkd':
        assert 'loss_ckd' not in line.group(0) and 'loss_dkd' not in line.group(0)
    if 'mask-rcnn' in config.stem:
        assert 'loss_mask' in line.group(0)
    assert (tmp_path / 'iter_2.pth').is_file()
