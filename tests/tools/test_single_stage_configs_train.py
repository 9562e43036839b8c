"""Every config of configs/single_stage/ trains through tools/train.py on tiny_coco (real COCO
images): random-weight teachers, nothing downloaded, 320 px images, two iterations of one
epoch (the configs' own loops, schedulers and hooks: RTMDet's mosaic, EMA and pipeline
switch included)."""
import os
import re
import subprocess
import sys

import pytest
from helpers import REPO, TINY_COCO, needs_tiny_coco
from mmengine.config import Config
from test_reviewckd_configs_train import tiny_coco_options

pytestmark = needs_tiny_coco()
CONFIGS = sorted((REPO / 'configs' / 'single_stage').glob('*.py'))


def small_images(pipeline):
    """The training pipeline at 320 px: every image size a transform takes."""
    for transform in pipeline:
        for key in ('scale', 'img_scale', 'crop_size', 'size'):
            if isinstance(transform.get(key), (tuple, list)):
                square = transform[key][0] == transform[key][1]
                transform[key] = (320, 320) if square else (320, 192)
        if 'scales' in transform:
            transform['scales'] = [(320, 192), (320, 224)]
    return pipeline


@pytest.mark.parametrize('config', CONFIGS, ids=lambda p: p.stem)
def test_trains_two_iterations_on_tiny_coco(tmp_path, config):
    cfg = Config.fromfile(str(config))
    cfg.model.teacher_ckpt = None  # random weights, offline
    cfg.model.backbone.init_cfg = None
    small_images(cfg.train_dataloader.dataset.pipeline)
    for hook in cfg.get('custom_hooks', []):
        if hook.type == 'PipelineSwitchHook':
            small_images(hook.switch_pipeline)
    cfg.train_dataloader.batch_size = 2
    cfg.train_dataloader.dataset.indices = 4  # one epoch of two iterations
    cfg.train_cfg.update(max_epochs=1, val_begin=1000)
    cfg.default_hooks.logger.interval = 1
    tiny = tmp_path / config.name
    cfg.dump(str(tiny))
    result = subprocess.run(
        [sys.executable, '-W', 'ignore', str(REPO / 'tools' / 'train.py'), str(tiny),
         '--work-dir', str(tmp_path), '--cfg-options', *tiny_coco_options(TINY_COCO)],
        capture_output=True, text=True, timeout=900, env={**os.environ, 'PYTHONHASHSEED': '0'})
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    line = re.search(r'Epoch\(train\) +\[1\]\[2/2\].*', log)
    assert line, log[-3000:]
    key = {'ckd': 'loss_ckd', 'kd': 'loss_sigmoid_kd', 'ld': 'loss_ld'}[config.stem.split('_')[0]]
    assert re.search(rf' {key}: \d+\.\d+', line.group(0)), line.group(0)
    assert (tmp_path / 'epoch_1.pth').is_file()
