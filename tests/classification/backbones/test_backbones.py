"""The CIFAR/ImageNet backbones ckd_mmdet adds for the classification pairs."""
import pytest
import torch
from mmpretrain.registry import MODELS


def classifier(backbone, width, num_classes=100):
    return MODELS.build(dict(
        type='ImageClassifier', backbone=backbone, neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=num_classes, in_channels=width)))


def millions(model):
    return sum(p.numel() for p in model.parameters()) / 1e6


# Parameter counts of CRD's networks (its paper's table, two decimals) with a 100-way
# classifier: the re-implementations must match them, not approximately resemble them.
@pytest.mark.parametrize('backbone, width, published', [
    (dict(type='CifarResNet', depth=8, num_filters=(32, 64, 128, 256)), 256, 1.23),
    (dict(type='CifarResNet', depth=32, num_filters=(32, 64, 128, 256)), 256, 7.43),
    (dict(type='CifarResNet', depth=56, num_filters=(16, 16, 32, 64)), 64, 0.86),
    (dict(type='CifarResNet', depth=20, num_filters=(16, 16, 32, 64)), 64, 0.28),
    (dict(type='CifarVGG', depth=8), 512, 3.96),
    (dict(type='CifarVGG', depth=13), 512, 9.46),
    (dict(type='mmrazor.WideResNet', depth=40, widen_factor=2), 128, 2.26),
    (dict(type='mmrazor.WideResNet', depth=16, widen_factor=2), 128, 0.70),
])
def test_parameter_counts_match_crd(backbone, width, published):
    assert abs(millions(classifier(backbone, width)) - published) < 0.01


def test_mobilenet_v1_has_the_standard_size():
    # MobileNetV1 1.0 on ImageNet: 4.2 M parameters (Howard et al., Table 8: 4.2 million)
    assert round(millions(classifier(dict(type='MobileNetV1'), 1024, 1000)), 1) == 4.2


@pytest.mark.parametrize('backbone, size, shape', [
    (dict(type='CifarResNet', depth=8), 32, (256, 8, 8)),
    (dict(type='CifarVGG', depth=8), 32, (512, 4, 4)),  # pools after blocks 0-2 only
    (dict(type='CifarVGG', depth=8), 64, (512, 4, 4)),  # 64 px: after block 3 too (CRD)
    (dict(type='CifarShuffleNetV2'), 32, (1024, 4, 4)),  # stride-1 stem, no max-pool
    (dict(type='CifarMobileNetV2', widen_factor=0.5), 32, (1280, 2, 2)),  # output stride 16
    (dict(type='MobileNetV1'), 64, (1024, 2, 2)),
])
def test_output_resolution(backbone, size, shape):
    model = MODELS.build(backbone)
    model.eval()  # (MMPretrain's BaseBackbone.train returns None)
    (out, ) = model(torch.randn(2, 3, size, size))
    assert out.shape == (2, *shape)


def test_mmpretrain_versions_keep_their_imagenet_stems():
    """The CIFAR variants change only what they say: stride 8 / 16 instead of 32."""
    for name in ('ShuffleNetV2', 'MobileNetV2'):
        model = MODELS.build(dict(type=name))
        model.eval()
        (out, ) = model(torch.randn(1, 3, 32, 32))
        assert out.shape[-1] == 1


def test_shufflenet_stem_replacement_still_freezes():
    model = MODELS.build(dict(type='CifarShuffleNetV2', frozen_stages=1))
    assert not any(p.requires_grad for p in model.conv1.parameters())
    assert model.conv1.conv.stride == (1, 1)


@pytest.mark.parametrize('backbone, message', [
    (dict(type='CifarResNet', depth=10), r'depth must be 6n \+ 2'),
    (dict(type='CifarResNet', depth=8, num_filters=(16, 32)), 'num_filters needs 4 widths'),
    (dict(type='CifarVGG', depth=10), 'depth must be one of'),
])
def test_bad_arguments_name_the_argument(backbone, message):
    with pytest.raises(ValueError, match=message):
        MODELS.build(backbone)
