"""Every config under configs/ parses and builds, with the network blocked."""
from pathlib import Path

import pytest
from mmdet.registry import MODELS
from mmengine.config import Config

from ckd_mmdet import CKDLoss, TwoStageDistiller

CONFIGS = sorted((Path(__file__).parents[2] / 'configs').glob('*.py'))
IMAGENET_INIT = ('torchvision://resnet18', 'torchvision://resnet50',
                 'open-mmlab://mmdet/mobilenet_v2')


def test_the_six_configs_are_shipped():
    assert {c.name for c in CONFIGS} == {
        'ckd_faster-rcnn_r101-r18_coco.py', 'ckd_faster-rcnn_r101-r50_coco.py',
        'ckd_faster-rcnn_r50-mv2_coco.py', 'kd_faster-rcnn_r101-r18_coco.py',
        'dkd_faster-rcnn_r101-r18_coco.py', 'ckd_mask-rcnn_r101-r18_coco.py'}


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_parses_and_builds_without_download(path, no_network):
    cfg = Config.fromfile(str(path))
    assert 'ckd_mmdet' in cfg.custom_imports.imports
    assert cfg.train_dataloader.dataset.data_root == 'data/coco/'
    assert cfg.model.teacher_ckpt.startswith('https://download.openmmlab.com/mmdetection/')
    assert cfg.model.backbone.init_cfg.checkpoint in IMAGENET_INIT
    assert path.read_text().startswith('# ')  # the header: pair, schedule, teacher, run

    model = MODELS.build(cfg.model)
    assert isinstance(model, TwoStageDistiller)
    assert model.roi_head.bbox_head.num_classes == 80
    assert model.teacher.roi_head.bbox_head.num_classes == 80
    method = path.stem.split('_')[0]
    loss_type = {'ckd': 'CKDLoss', 'kd': 'KnowledgeDistillationKLDivLoss',
                 'dkd': 'DKDLoss'}[method]
    assert type(model.distill_loss).__name__ == loss_type
    assert model.distill_loss_name == f'loss_{method}'
    if method == 'ckd':
        assert isinstance(model.distill_loss, CKDLoss)
        assert (model.distill_loss.loss_weight, model.distill_loss.tau) == (0.1, 1.0)
    teacher_depth = 101 if 'r101' in path.stem else 50
    assert model.teacher.backbone.depth == teacher_depth
    assert model.with_mask == model.teacher.roi_head.with_mask == ('mask-rcnn' in path.stem)


DEMO_CONFIGS = sorted((Path(__file__).parents[2] / 'configs' / 'demo').glob('*.py'))


@pytest.mark.parametrize('path', DEMO_CONFIGS, ids=lambda p: p.stem)
def test_demo_config_builds(path, no_network):
    cfg = Config.fromfile(str(path))
    assert cfg.model.backbone.init_cfg is None  # trained from scratch: nothing to download
    if 'teacher_config' in cfg.model:
        cfg.model.teacher_ckpt = None  # make demo trains it first
    model = MODELS.build(cfg.model)
    assert model.roi_head.bbox_head.num_classes == 12
    if isinstance(model, TwoStageDistiller):
        assert model.teacher.backbone.depth == 34 and model.backbone.depth == 18
        assert model.teacher.backbone.base_channels == 2 * model.backbone.base_channels
