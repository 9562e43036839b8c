"""Every detection config under configs/ parses and builds, with the network blocked; each
distillation config's student is its plain student config."""
import inspect
import re
from pathlib import Path

import pytest
from mmdet.registry import MODELS
from mmengine.config import Config

from ckd_mmdet import CKDLoss, TwoStageDistiller

ROOT = Path(__file__).parents[2] / 'configs'
CONFIGS = sorted(ROOT.glob('*.py'))
STUDENTS = sorted((ROOT / 'students').glob('*.py'))
IMAGENET_INIT = ('torchvision://resnet18', 'torchvision://resnet50',
                 'open-mmlab://mmdet/mobilenet_v2')
# the distiller's own arguments (all but **student), and its type
DISTILLER_KEYS = ('type', *[name for name, parameter in inspect.signature(
    TwoStageDistiller.__init__).parameters.items()
    if name != 'self' and parameter.kind is not parameter.VAR_KEYWORD])
# distillation config -> its plain student config
PAIRS = {
    'ckd_faster-rcnn_r101-r18_coco.py': 'faster-rcnn_r18_fpn_2x_coco.py',
    'kd_faster-rcnn_r101-r18_coco.py': 'faster-rcnn_r18_fpn_2x_coco.py',
    'dkd_faster-rcnn_r101-r18_coco.py': 'faster-rcnn_r18_fpn_2x_coco.py',
    'ckd_faster-rcnn_r101-r50_coco.py': 'faster-rcnn_r50_fpn_2x_coco.py',
    'ckd_faster-rcnn_r50-mv2_coco.py': 'faster-rcnn_mv2_fpn_2x_coco.py',
    'ckd_mask-rcnn_r101-r18_coco.py': 'mask-rcnn_r18_fpn_2x_coco.py',
}


def test_every_shipped_config_has_a_plain_student():
    assert {c.name for c in CONFIGS} == set(PAIRS)
    assert {c.name for c in STUDENTS} == set(PAIRS.values())


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_parses_and_builds_without_download(path, no_network):
    cfg = Config.fromfile(str(path))
    assert 'ckd_mmdet' in cfg.custom_imports.imports
    assert {'type': 'ResumeRandomStateHook'} in cfg.custom_hooks
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


@pytest.mark.parametrize('name', sorted(PAIRS), ids=lambda n: n[:-3])
def test_student_of_a_pair_is_its_plain_config(name, no_network):
    distill = Config.fromfile(str(ROOT / name))
    student = Config.fromfile(str(ROOT / 'students' / PAIRS[name]))
    model = distill.model.to_dict()
    for key in DISTILLER_KEYS:
        model.pop(key, None)
    plain = student.model.to_dict()
    plain.pop('type')
    assert model == plain
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper', 'param_scheduler',
                'custom_hooks'):
        assert distill[key] == student[key], key


@pytest.mark.parametrize('path', STUDENTS, ids=lambda p: p.stem)
def test_student_config_builds_without_download(path, no_network):
    cfg = Config.fromfile(str(path))
    assert path.read_text().startswith('# ')
    assert {'type': 'ResumeRandomStateHook'} in cfg.custom_hooks
    model = MODELS.build(cfg.model)
    assert type(model).__name__ in ('FasterRCNN', 'MaskRCNN')
    assert model.roi_head.bbox_head.num_classes == 80


DEMO_CONFIGS = sorted((ROOT / 'demo').glob('*.py'))


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


def test_configs_readme_lists_every_config():
    table = (ROOT / 'README.md').read_text()
    shipped = {str(p.relative_to(ROOT)) for p in ROOT.rglob('*.py')
               if '_base_' not in p.relative_to(ROOT).parts}
    listed = {name for name in shipped if f'`{name}`' in table}
    assert shipped - listed == set(), 'configs missing from configs/README.md'
    named = {name for name in re.findall(r'`((?:[\w.-]+/)*[\w.-]+\.py)`', table)
             if name.split('/')[0] in ('students', 'demo', 'classification')
             or re.match(r'(ckd|kd|dkd)_[^/]+$', name)}  # not upstream files it cites
    assert {name for name in named if not (ROOT / name).is_file()} == set(), 'stale rows'
