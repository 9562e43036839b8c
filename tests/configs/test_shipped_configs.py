"""Every detection config under configs/ parses and builds, with the network blocked; each
distillation config's student is its plain student config."""
import inspect
import re
from pathlib import Path

import pytest
from mmdet.models.detectors import DINO, DeformableDETR
from mmdet.registry import MODELS
from mmengine.config import Config

from ckd_mmdet import (CKDLoss, DeformableDETRDistiller, DINODistiller, SigmoidKDLoss,
                       SingleStageDistiller, TwoStageDistiller)
from ckd_mmdet.models.distillers.distill_losses import logit_losses, loss_selections
from ckd_mmdet.models.distillers.query_distiller import QueryDistiller

ROOT = Path(__file__).parents[2] / 'configs'
CONFIGS = sorted(ROOT.glob('*.py'))
REVIEW_CONFIGS = sorted((ROOT / 'reviewckd').glob('*.py'))
STUDENTS = sorted((ROOT / 'students').glob('*.py'))
IMAGENET_INIT = ('torchvision://resnet18', 'torchvision://resnet50',
                 'open-mmlab://mmdet/mobilenet_v2', 'open-mmlab://detectron/resnet50_caffe',
                 'https://download.openmmlab.com/mmdetection/v3.0/rtmdet/cspnext_rsb_pretrain/'
                 'cspnext-s_imagenet_600e.pth')
# the distillers' own arguments (all but **student), and their type
DISTILLER_KEYS = ('type', *{name for distiller in (TwoStageDistiller, SingleStageDistiller,
                                                   QueryDistiller)
                            for name, parameter in inspect.signature(
                                distiller.__init__).parameters.items()
                            if name != 'self' and parameter.kind is not parameter.VAR_KEYWORD})
SINGLE_STAGE_CONFIGS = sorted((ROOT / 'single_stage').glob('*.py'))
DETR_CONFIGS = sorted((ROOT / 'detr').glob('*.py'))
# what every shipped config adds to its mmdet base (the RTMDet student repeats them)
RUNTIME = Config.fromfile(str(ROOT / '_base_' / 'ckd_runtime.py'))


def has_the_runtime(cfg):
    return cfg.custom_imports == RUNTIME.custom_imports and all(
        hook in cfg.custom_hooks for hook in RUNTIME.custom_hooks)


def zoo_distillation_config(path):
    """The config at ``path``, its method and its pair (from its name: ``<method>_<pair>``),
    once it has what every distillation config with an mmdet zoo teacher has: a header with a
    Run: line, the runtime, a zoo teacher checkpoint."""
    cfg = Config.fromfile(str(path))
    text = path.read_text()
    assert text.startswith('# ') and 'Run:' in text
    assert has_the_runtime(cfg)
    assert cfg.model.teacher_ckpt.startswith('https://download.openmmlab.com/mmdetection/')
    method, _, pair = path.stem.partition('_')
    return cfg, method, pair


# single-stage pair -> (student config, teacher: the mmdet config)
SINGLE_STAGE_PAIRS = {
    'gfl_r101-r50_fpn_1x_coco': ('gfl_r50_fpn_1x_coco.py', 'gfl/gfl_r101_fpn_ms-2x_coco.py'),
    'retinanet_r101-r50_fpn_2x_coco': ('retinanet_r50_fpn_2x_coco.py',
                                       'retinanet/retinanet_r101_fpn_2x_coco.py'),
    'atss_r101-r50_fpn_1x_coco': ('atss_r50_fpn_1x_coco.py', 'atss/atss_r101_fpn_1x_coco.py'),
    'fcos_r101-r50-caffe_fpn_gn-head_ms-640-800-2x_coco': (
        'fcos_r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py',
        'fcos/fcos_r101-caffe_fpn_gn-head_ms-640-800-2x_coco.py'),
    'rtmdet_l-s_8xb32-300e_coco': ('rtmdet_s_8xb32-300e_coco.py',
                                   'rtmdet/rtmdet_l_8xb32-300e_coco.py'),
}
# DETR pair -> (student config, teacher: the mmdet config)
DETR_PAIRS = {
    'dino_swin-l-r50_8xb2-12e_coco': ('dino-4scale_r50_8xb2-12e_coco.py',
                                      'dino/dino-5scale_swin-l_8xb2-12e_coco.py'),
    'dino_r50-r18_8xb2-12e_coco': ('dino-4scale_r18_8xb2-12e_coco.py',
                                   'dino/dino-4scale_r50_8xb2-12e_coco.py'),
    'deformable-detr-refine-twostage_r50-r18_16xb2-50e_coco': (
        'deformable-detr-refine-twostage_r18_16xb2-50e_coco.py',
        'deformable_detr/deformable-detr-refine-twostage_r50_16xb2-50e_coco.py'),
}
# distillation config -> its plain student config
PAIRS = {
    'ckd_faster-rcnn_r101-r18_coco.py': 'faster-rcnn_r18_fpn_2x_coco.py',
    'kd_faster-rcnn_r101-r18_coco.py': 'faster-rcnn_r18_fpn_2x_coco.py',
    'dkd_faster-rcnn_r101-r18_coco.py': 'faster-rcnn_r18_fpn_2x_coco.py',
    'ckd_faster-rcnn_r101-r50_coco.py': 'faster-rcnn_r50_fpn_2x_coco.py',
    'ckd_faster-rcnn_r50-mv2_coco.py': 'faster-rcnn_mv2_fpn_2x_coco.py',
    'ckd_mask-rcnn_r101-r18_coco.py': 'mask-rcnn_r18_fpn_2x_coco.py',
}
# the paper's recipe and its baselines: pair -> (student, official ReviewKD weight of
# ReviewCKD, ReviewKD, ReviewDKD: ZhouXinzzzzz/CKD detection/configs/{CKD,ReviewKD,DKD}/*.yaml)
REVIEW_PAIRS = {
    'faster-rcnn_r101-r18': ('faster-rcnn_r18_fpn_ms-360k_coco.py', 1.2, 1.2, 1.2),
    'faster-rcnn_r101-r50': ('faster-rcnn_r50_fpn_ms-360k_coco.py', 1.0, 1.0, 1.0),
    'faster-rcnn_r50-mv2': ('faster-rcnn_mv2_fpn_ms-360k_coco.py', 2.0, 2.0, 2.0),
    'mask-rcnn_r101-r18': ('mask-rcnn_r18_fpn_ms-360k_coco.py', 0.8, 1.5, 1.2),
    'mask-rcnn_r101-r50': ('mask-rcnn_r50_fpn_ms-360k_coco.py', 1.0, 0.8, 1.0),
    'mask-rcnn_r50-mv2': ('mask-rcnn_mv2_fpn_ms-360k_coco.py', 1.0, 1.0, 2.0),
}
REVIEW_METHODS = ('reviewckd', 'reviewkd', 'reviewdkd', 'ckd-pkd')
PAIRS.update({f'reviewckd/{method}_{pair}_ms-360k_coco.py': student
              for pair, (student, *_) in REVIEW_PAIRS.items() for method in REVIEW_METHODS})
PAIRS.update({f'single_stage/{method}_{pair}.py': student
              for pair, (student, _) in SINGLE_STAGE_PAIRS.items() for method in ('ckd', 'kd')})
PAIRS['single_stage/kd-pkd_gfl_r101-r50_fpn_1x_coco.py'] = 'gfl_r50_fpn_1x_coco.py'
PAIRS.update({f'detr/{method}_{pair}.py': student
              for pair, (student, _) in DETR_PAIRS.items() for method in ('ckd', 'kd')})
# mmdet's LD: its student has an LDHead and its checkpoints hold the teacher, so no plain student
NO_PLAIN_STUDENT = {'single_stage/ld_gfl_r101-r50_fpn_1x_coco.py'}


def review_method_and_pair(path):
    method, _, rest = path.stem.partition('_')
    return method, rest.replace('_ms-360k_coco', '')


def fast_tier_one_per_method(paths):
    """The Faster R-CNN R-101 -> R-18 config of each method and every ReviewCKD config in the
    fast tier; the rest in the full suite (each builds an R-101 teacher)."""
    return [path if 'r101-r18' in path.stem and 'faster' in path.stem
            or path.stem.startswith('reviewckd_') else pytest.param(path, marks=pytest.mark.slow)
            for path in paths]


def test_every_shipped_config_has_a_plain_student():
    shipped = {c.name for c in CONFIGS} | {f'reviewckd/{c.name}' for c in REVIEW_CONFIGS} | \
        {f'single_stage/{c.name}' for c in SINGLE_STAGE_CONFIGS} | \
        {f'detr/{c.name}' for c in DETR_CONFIGS}
    assert shipped == set(PAIRS) | NO_PLAIN_STUDENT
    assert {c.name for c in STUDENTS} == set(PAIRS.values())


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_config_parses_and_builds_without_download(path, no_network):
    cfg = Config.fromfile(str(path))
    assert has_the_runtime(cfg)
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


@pytest.mark.parametrize('path', fast_tier_one_per_method(REVIEW_CONFIGS), ids=lambda p: p.stem)
def test_review_config_is_the_official_recipe(path, no_network):
    cfg = Config.fromfile(str(path))
    method, pair = review_method_and_pair(path)
    student_file, *weights = REVIEW_PAIRS[pair]
    text = path.read_text()
    assert text.startswith('# ') and 'Run:' in text and 'Schedule:' in text
    assert has_the_runtime(cfg)
    assert cfg.model.teacher_ckpt.startswith('https://download.openmmlab.com/mmdetection/')
    assert cfg.model.backbone.init_cfg.checkpoint in IMAGENET_INIT
    # schedule: ReviewCKD-*.yaml in mmdet terms (2 GPUs; images per GPU = IMS_PER_BATCH / 2)
    per_gpu = 2 if pair == 'faster-rcnn_r101-r18' else 4
    assert cfg.train_dataloader.batch_size == per_gpu
    assert cfg.auto_scale_lr.base_batch_size == 2 * per_gpu
    assert cfg.optim_wrapper.optimizer.lr == 0.01
    assert cfg.train_cfg.type == 'IterBasedTrainLoop' and cfg.train_cfg.max_iters == 360000
    assert cfg.param_scheduler[1].milestones == [240000, 320000]
    assert cfg.param_scheduler[0].end == 1000
    resize = cfg.train_dataloader.dataset.pipeline[2]
    assert resize.type == 'RandomChoiceResize'
    assert [short for _, short in resize.scales] == list(range(640, 801, 32))
    assert cfg.train_dataloader.dataset.pipeline[1].get('with_mask', False) == \
        pair.startswith('mask')

    model = MODELS.build(cfg.model)
    fd = model.feature_distill
    if method == 'ckd-pkd':
        assert type(fd.loss).__name__ == 'PKDLoss' and fd.loss.loss_weight == 6.0
        assert fd.connector is None and fd.levels == [0, 1, 2, 3]
    else:
        assert type(fd.loss).__name__ == 'HCLLoss'
        assert fd.loss.loss_weight == weights[REVIEW_METHODS.index(method)]
        assert fd.connector.in_channels == fd.connector.out_channels == [256] * 5
        assert fd.connector.fusions[0].reduce[0].out_channels == 256
    logit_loss = {'reviewckd': 'CKDLoss', 'reviewkd': None, 'reviewdkd': 'DKDLoss',
                  'ckd-pkd': 'CKDLoss'}[method]
    assert (logit_loss is None) == (model.distill_loss is None)
    if logit_loss:
        assert type(model.distill_loss).__name__ == logit_loss
    if logit_loss == 'CKDLoss':
        assert (model.distill_loss.loss_weight, model.distill_loss.tau) == (0.1, 1.0)
    assert model.with_mask == model.teacher.roi_head.with_mask == pair.startswith('mask')
    assert model.teacher.backbone.depth == (101 if 'r101' in pair else 50)


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
    assert has_the_runtime(cfg)
    model = MODELS.build(cfg.model)
    assert type(model).__name__ in ('FasterRCNN', 'MaskRCNN', 'GFL', 'RetinaNet', 'ATSS', 'FCOS',
                                    'RTMDet', 'DINO', 'DeformableDETR')
    head = model.roi_head.bbox_head if hasattr(model, 'roi_head') else model.bbox_head
    assert head.num_classes == 80
    assert cfg.model.backbone.init_cfg.checkpoint in IMAGENET_INIT


@pytest.mark.parametrize('path', [
    path if path.stem.startswith(('ckd_gfl', 'kd_gfl')) else
    pytest.param(path, marks=pytest.mark.slow) for path in SINGLE_STAGE_CONFIGS],
    ids=lambda p: p.stem)
def test_single_stage_config_distils_its_pair(path, no_network):
    cfg, method, pair = zoo_distillation_config(path)
    method, _, features = method.partition('-')  # kd-pkd: KD beside a feature loss
    if method == 'ld':  # mmdet's own LD detector, its teacher inside, loaded when built
        cfg.model.teacher_ckpt = None
        model = MODELS.build(cfg.model)
        assert type(model).__name__ == 'KnowledgeDistillationSingleStageDetector'
        assert model.teacher_model.backbone.depth == 101
        return
    model = MODELS.build(cfg.model)
    assert isinstance(model, SingleStageDistiller)
    assert model.bbox_head.num_classes == model.teacher.bbox_head.num_classes == 80
    # CKD compares centred rows; the KD baseline learns the teacher's own probabilities
    assert model.samples.mode == 'positives' and model.samples.center == (method == 'ckd')
    assert not model.distill_centerness
    loss = {'ckd': CKDLoss, 'kd': SigmoidKDLoss}[method]
    assert isinstance(model.distill_loss, loss) and model.distill_loss.loss_weight == 1.0
    if features:  # PKD on every level: both necks 256 channels, nothing to connect
        assert features == 'pkd' and model.feature_distill.connector is None
        assert type(model.feature_distill.loss).__name__ == 'PKDLoss'
        assert model.feature_distill.levels is None
    else:
        assert model.feature_distill is None
    if method == 'ckd':
        assert model.distill_loss.tau == 1.0
    assert cfg.model.teacher_config == 'mmdet::' + SINGLE_STAGE_PAIRS[pair][1]
    assert type(model.teacher.bbox_head) is type(model.bbox_head)


@pytest.mark.parametrize('path', [
    path if 'r50-r18' in path.stem else pytest.param(path, marks=pytest.mark.slow)
    for path in DETR_CONFIGS], ids=lambda p: p.stem)
def test_detr_config_distils_its_pair(path, no_network):
    cfg, method, pair = zoo_distillation_config(path)
    assert cfg.model.teacher_config == 'mmdet::' + DETR_PAIRS[pair][1]
    model = MODELS.build(cfg.model)  # the teacher's pretrained backbone is never fetched
    # the distiller, the teacher's class (the student's family) and the number of queries
    distiller, detector, queries = ((DINODistiller, DINO, 900) if pair.startswith('dino') else
                                    (DeformableDETRDistiller, DeformableDETR, 300))
    assert isinstance(model, distiller) and type(model.teacher) is detector
    assert model.as_two_stage and model.teacher.as_two_stage
    assert model.bbox_head.num_classes == model.teacher.bbox_head.num_classes == 80
    assert model.num_queries == model.teacher.num_queries == queries
    loss = {'ckd': CKDLoss, 'kd': SigmoidKDLoss}[method]
    assert isinstance(model.distill_loss, loss) and model.distill_loss.loss_weight == 1.0
    # CKD: one centred row per object; KD: every query, KD-DETR's confidence weighting
    expected = (('positives', None, True) if method == 'ckd' else
                ('all', 'teacher_confidence', False))
    assert (model.samples.mode, model.samples.weight, model.samples.center) == expected
    assert model.feature_distill is None


DEMO_CONFIGS = sorted((ROOT / 'demo').glob('*.py'))


@pytest.mark.parametrize('path', DEMO_CONFIGS, ids=lambda p: p.stem)
def test_demo_config_builds(path, no_network):
    cfg = Config.fromfile(str(path))
    assert cfg.model.backbone.init_cfg is None  # trained from scratch: nothing to download
    if 'teacher_config' in cfg.model:
        cfg.model.teacher_ckpt = None  # make demo trains it first
    model = MODELS.build(cfg.model)
    head = model.roi_head.bbox_head if hasattr(model, 'roi_head') else model.bbox_head
    assert head.num_classes == 12
    if isinstance(model, (SingleStageDistiller, QueryDistiller)):  # CKD's rows centred, KD's raw
        for (_, loss), selection in zip(logit_losses(model), loss_selections(model)):
            assert selection.center == isinstance(loss, CKDLoss)
    if isinstance(model, (TwoStageDistiller, SingleStageDistiller, QueryDistiller)):
        assert model.teacher.backbone.depth == 34 and model.backbone.depth == 18
        assert model.teacher.backbone.base_channels == 2 * model.backbone.base_channels


def test_configs_readme_lists_every_config():
    table = (ROOT / 'README.md').read_text()
    shipped = {str(p.relative_to(ROOT)) for p in ROOT.rglob('*.py')
               if '_base_' not in p.relative_to(ROOT).parts}
    listed = {name for name in shipped if f'`{name}`' in table}
    assert shipped - listed == set(), 'configs missing from configs/README.md'
    named = {name for name in re.findall(r'`((?:[\w.-]+/)*[\w.-]+\.py)`', table)
             if name.split('/')[0] in ('students', 'demo', 'classification', 'reviewckd',
                                       'single_stage')
             or re.match(r'(ckd|kd|dkd)_[^/]+$', name)}  # not upstream files it cites
    assert {name for name in named if not (ROOT / name).is_file()} == set(), 'stale rows'
