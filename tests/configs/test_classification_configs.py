"""Every classification config parses, builds (network blocked) and carries its recipe."""
import math
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmpretrain.structures import DataSample

from ckd_mmdet import CKDLoss

ROOT = Path(__file__).parents[2] / 'configs' / 'classification'
DISTILL = sorted(ROOT.glob('*.py'))
VANILLA = sorted((ROOT / 'vanilla').glob('*.py'))

# The official CKD configs (ZhouXinzzzzz/CKD configs/{cifar100,imagenet}/...):
# (student, teacher, loss weight, tau, lr, batch, epochs) per pair.
OFFICIAL = {
    'resnet32x4-resnet8x4_cifar100': ('CifarResNet', 'CifarResNet', 100, 1, 0.05, 64, 480),
    'wrn40_2-wrn16_2_cifar100': ('WideResNet', 'WideResNet', 100, 1, 0.05, 64, 480),
    'vgg13-vgg8_cifar100': ('CifarVGG', 'CifarVGG', 100, 1, 0.05, 64, 480),
    'resnet32x4-shufflenet-v2_cifar100': ('CifarShuffleNetV2', 'CifarResNet', 100, 1, 0.01, 64,
                                          480),
    'vgg13-mobilenet-v2_cifar100': ('CifarMobileNetV2', 'CifarVGG', 50, 2, 0.01, 32, 480),
    'resnet34-resnet18_in1k': ('ResNet', 'ResNet', 10, 1, 0.2, 64, 200),  # 8 GPUs x 64
    'resnet50-mobilenet-v1_in1k': ('MobileNetV1', 'ResNet', 10, 1, 0.2, 64, 200),
}


def test_the_paper_pairs_and_kd_baselines_are_shipped():
    assert {p.stem for p in DISTILL} == {f'ckd_{pair}' for pair in OFFICIAL} | {
        'kd_resnet32x4-resnet8x4_cifar100', 'kd_resnet34-resnet18_in1k'}


def build(cfg):
    """As the Runner does: the config's scope, its data pre-processor merged in."""
    model = cfg.model
    model.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return MODELS.build(model)


def one_loss_step(model, size):
    torch.manual_seed(0)
    inputs = list(torch.rand(4, 3, size, size) * 255)
    samples = [DataSample().set_gt_label(label) for label in (0, 1, 2, 3)]
    model.train()
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
    losses = model(**data, mode='loss')
    losses = {key: value.detach() for key, value in losses.items()}
    assert all(torch.isfinite(value).all() for value in losses.values())
    return losses


@pytest.mark.parametrize('path', DISTILL, ids=lambda p: p.stem)
def test_distill_config_builds_with_its_recipe(path, no_network):
    cfg = Config.fromfile(str(path))
    assert path.read_text().startswith('# ')  # header: pair, teacher source, loss, recipe, run
    assert 'ckd_mmdet' in cfg.custom_imports.imports
    method, pair = path.stem.split('_', 1)
    student, teacher, weight, tau, lr, batch, epochs = OFFICIAL[pair]
    assert cfg.optim_wrapper.optimizer.lr == lr
    assert cfg.train_dataloader.batch_size == batch
    assert cfg.train_cfg.max_epochs == cfg.param_scheduler.T_max == epochs
    assert cfg.model.teacher_ckpt  # every pair says where its teacher comes from
    cfg.model.teacher_ckpt = None

    model = build(cfg)
    assert type(model).__name__ == 'SingleTeacherDistill'
    assert type(model.architecture.backbone).__name__ == student
    assert type(model.teacher.backbone).__name__ == teacher
    assert not any(p.requires_grad for p in model.teacher.parameters())
    losses = one_loss_step(model, 224 if pair.endswith('in1k') else 32)
    if method == 'ckd':
        loss = model.distiller.distill_losses['loss_ckd']
        assert type(loss) is CKDLoss  # built in MMRazor's scope, ckd_mmdet's class
        assert (loss.loss_weight, loss.tau) == (weight, tau)
        # unrelated random logits: weight * log N, N = 4 images
        assert abs(float(losses['distill.loss_ckd']) - weight * math.log(4)) < 0.2 * weight
    else:
        assert type(model.distiller.distill_losses['loss_kd']).__name__ == 'KLDivergence'
        assert 'distill.loss_kd' in losses
    assert 'student.loss' in losses


@pytest.mark.parametrize('path', VANILLA, ids=lambda p: p.stem)
def test_vanilla_config_builds(path, no_network):
    cfg = Config.fromfile(str(path))
    model = build(cfg)
    assert type(model).__name__ == 'ImageClassifier'
    num_classes = 1000 if path.stem.endswith('in1k') else 100
    assert model.head.num_classes == num_classes
    one_loss_step(model, 64 if num_classes == 1000 else 32)


def test_students_of_the_pairs_are_the_vanilla_students():
    """A distilled student's weights load into its plain config (same module tree)."""
    pairs = {'ckd_resnet32x4-resnet8x4_cifar100': 'resnet8x4_cifar100',
             'ckd_wrn40_2-wrn16_2_cifar100': 'wrn16_2_cifar100',
             'ckd_vgg13-vgg8_cifar100': 'vgg8_cifar100',
             'ckd_resnet32x4-shufflenet-v2_cifar100': 'shufflenet-v2_cifar100',
             'ckd_vgg13-mobilenet-v2_cifar100': 'mobilenet-v2_cifar100',
             'ckd_resnet34-resnet18_in1k': 'resnet18_in1k',
             'ckd_resnet50-mobilenet-v1_in1k': 'mobilenet-v1_in1k'}
    for distill, vanilla in pairs.items():
        student = Config.fromfile(str(ROOT / f'{distill}.py')).model.architecture
        plain = Config.fromfile(str(ROOT / 'vanilla' / f'{vanilla}.py')).model
        assert student.to_dict() == plain.to_dict(), distill
