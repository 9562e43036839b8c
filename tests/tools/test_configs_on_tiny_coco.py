"""Every shipped distillation config on tiny_coco (real COCO 2017 images and annotations, 80
classes): random-weight teachers, nothing downloaded, 320 px images.

- Every config takes one training step in this process: its own train pipeline and data set
  (RTMDet's cached mosaic included), its model (student, teacher, connector, losses) built and
  run forward and backward; the distillation losses it promises are there and finite.
- A representative of each runtime trains through tools/train.py as a user runs it (its own
  loops, schedulers and hooks: the official 360k iteration schedule for Faster and Mask R-CNN,
  mmdet's epoch schedules, RTMDet's mosaic, EMA and pipeline switch, FCOS's caffe inputs).
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from helpers import REPO, TINY_COCO, needs_tiny_coco
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

pytestmark = needs_tiny_coco()
ROOT = REPO / 'configs'
CONFIGS = sorted([*ROOT.glob('*.py'), *(ROOT / 'reviewckd').glob('*.py'),
                  *(ROOT / 'single_stage').glob('*.py'), *(ROOT / 'detr').glob('*.py')])
# one per runtime: the official iteration schedule (Faster, Mask + DKD), mmdet's epoch
# schedules of the two-stage and single-stage students, caffe inputs, RTMDet's hooks, mmdet's
# LD, DINO's (AdamW, its nested random-choice pipeline)
FULL_RUNS = ('reviewckd/reviewckd_faster-rcnn_r101-r18_ms-360k_coco.py',
             'reviewckd/reviewdkd_mask-rcnn_r101-r50_ms-360k_coco.py',
             'ckd_faster-rcnn_r101-r18_coco.py',
             'single_stage/ckd_fcos_r101-r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py',
             'single_stage/ckd_rtmdet_l-s_8xb32-300e_coco.py',
             'single_stage/ld_gfl_r101-r50_fpn_1x_coco.py',
             'detr/ckd_dino_r50-r18_8xb2-12e_coco.py')
LOSSES = {'reviewckd': ('loss_ckd', 'loss_hcl'), 'reviewkd': ('loss_hcl', ),
          'reviewdkd': ('loss_dkd', 'loss_hcl'), 'ckd-pkd': ('loss_ckd', 'loss_pkd'),
          'kd-pkd': ('loss_kd', 'loss_pkd'),
          'ckd': ('loss_ckd', ), 'kd': ('loss_kd', ), 'dkd': ('loss_dkd', ), 'ld': ('loss_ld', )}


def name(path):
    return str(path.relative_to(ROOT))


def expected_losses(path):
    method = path.stem.split('_')[0]
    keys = LOSSES[method]
    if path.parent.name in ('single_stage', 'detr'):  # their KD baseline is SigmoidKDLoss
        keys = tuple('loss_sigmoid_kd' if key == 'loss_kd' else key for key in keys)
    return (*keys, 'loss_mask') if 'mask-rcnn' in path.stem else keys


def small_images(pipeline):
    """The pipeline at 320 px: every image size a transform takes, in nested choices too."""
    for transform in pipeline:
        for choice in transform.get('transforms', []):  # RandomChoice: lists of pipelines
            small_images(choice if isinstance(choice, list) else [choice])
        for key in ('scale', 'img_scale', 'crop_size', 'size'):
            if isinstance(transform.get(key), (tuple, list)):
                square = transform[key][0] == transform[key][1]
                transform[key] = (320, 320) if square else (320, 192)
        if 'scales' in transform:
            transform['scales'] = [(320, 192), (320, 224)]
        if transform.get('crop_type') == 'absolute_range':  # crop_size: (min, max) sides
            transform['crop_size'] = (192, 320)
    return pipeline


def tiny_coco_config(path):
    """``path``'s config on tiny_coco: random weights, 320 px, 2 images a batch, two
    iterations (one epoch of four images for epoch-based loops), no validation."""
    cfg = Config.fromfile(str(path))
    cfg.model.teacher_ckpt = None
    cfg.model.backbone.init_cfg = None
    root = f'{Path(TINY_COCO).resolve()}/'
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.update(num_workers=0, persistent_workers=False)
        loader.dataset.data_root = root
        small_images(loader.dataset.pipeline)
    for evaluator in ('val_evaluator', 'test_evaluator'):
        cfg[evaluator].ann_file = f'{root}annotations/instances_val2017.json'
    for hook in cfg.get('custom_hooks', []):
        if hook.type == 'PipelineSwitchHook':
            small_images(hook.switch_pipeline)
    cfg.train_dataloader.batch_size = 2
    if cfg.train_cfg.type == 'IterBasedTrainLoop':
        cfg.train_cfg.update(max_iters=2, val_begin=1000)
    else:
        cfg.train_dataloader.dataset.indices = 4
        cfg.train_cfg.update(max_epochs=1, val_begin=1000)
    cfg.default_hooks.logger.interval = 1
    return cfg


@pytest.mark.parametrize('path', CONFIGS, ids=name)
def test_every_config_takes_a_step_on_real_coco_data(path):
    from mmdet.registry import DATASETS, MODELS

    cfg = tiny_coco_config(path)
    init_default_scope('mmdet')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    data = model.data_preprocessor(pseudo_collate([dataset[0], dataset[1]]), True)
    assert data['inputs'].shape[0] == 2 and max(data['inputs'].shape[-2:]) <= 352
    losses = model(**data, mode='loss')
    for key in expected_losses(path):
        assert key in losses, (key, sorted(losses))
    if path.stem.startswith('reviewkd'):  # features only: no logit loss
        assert not {'loss_ckd', 'loss_dkd'} & set(losses)
    total, log = model.parse_losses(losses)
    assert all(torch.isfinite(torch.as_tensor(value)) for value in log.values()), log
    total.backward()
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in trainable)


@pytest.mark.parametrize('config', FULL_RUNS)
def test_a_representative_of_each_runtime_trains_through_train_py(tmp_path, config):
    path = ROOT / config
    tiny = tmp_path / path.name
    tiny_coco_config(path).dump(str(tiny))
    result = subprocess.run(
        [sys.executable, '-W', 'ignore', str(REPO / 'tools' / 'train.py'), str(tiny),
         '--work-dir', str(tmp_path)], capture_output=True, text=True, timeout=900,
        env={**os.environ, 'PYTHONHASHSEED': '0'})
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    line = re.search(r'(Iter\(train\) \[2/2\]|Epoch\(train\) +\[1\]\[2/2\]).*', log)
    assert line, log[-3000:]
    for key in expected_losses(path):
        assert re.search(rf' {key}: \d+\.\d+', line.group(0)), (key, line.group(0))
    assert (tmp_path / 'iter_2.pth').is_file() or (tmp_path / 'epoch_1.pth').is_file()
    if 'rtmdet' in path.stem:
        assert 'EMAHook' in log and 'PipelineSwitchHook' in log
