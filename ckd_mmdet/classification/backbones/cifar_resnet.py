# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""The CIFAR ResNets of the CRD benchmark (resnet8x4, resnet32x4, resnet20, resnet56, ...).

Not MMPretrain's ``ResNet_CIFAR`` (an ImageNet ResNet with a 3x3 stem: 4 stages, 64-512
channels): these have 3 stages of basic blocks, ``(depth - 2) / 6`` blocks each. Module names
follow CRD/mdistiller (``conv1``, ``bn1``, ``layer1.0.conv1``, ``downsample.0``, ...) so their
released teachers load after ``tools/convert_cifar_teacher.py``.
"""
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS


class _BasicBlock(nn.Module):

    def __init__(self, in_channels, channels, stride, norm_cfg):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride, 1, bias=False)
        self.bn1 = build_norm_layer(norm_cfg, channels)[1]
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = build_norm_layer(norm_cfg, channels)[1]
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or in_channels != channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, channels, 1, stride, bias=False),
                build_norm_layer(norm_cfg, channels)[1])

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


@MODELS.register_module()
class CifarResNet(BaseBackbone):
    """CRD-style CIFAR ResNet: 3x3 stem, three stages of basic blocks, strides 1, 2, 2.

    Args:
        depth (int): 6n + 2 (8 -> 1 block per stage, 32 -> 5, 56 -> 9, 110 -> 18).
        num_filters (Sequence[int]): stem width and the three stage widths;
            ``(32, 64, 128, 256)`` for the "x4" nets, ``(16, 16, 32, 64)`` for resnet20/56/110.
        norm_cfg (dict): normalisation layers. Defaults to BN.

    Returns (forward):
        tuple[Tensor]: the last stage's map, (B, num_filters[3], H/4, W/4).
    """

    def __init__(self, depth, num_filters=(32, 64, 128, 256), norm_cfg=dict(type='BN'),
                 init_cfg=(dict(type='Kaiming', layer='Conv2d'),
                           dict(type='Constant', val=1, layer=['_BatchNorm']))):
        super().__init__(init_cfg=list(init_cfg) if init_cfg else None)
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(f'CifarResNet: depth must be 6n + 2 (8, 14, 20, 32, 56, 110, ...), '
                             f'got {depth}')
        if len(num_filters) != 4:
            raise ValueError(f'CifarResNet: num_filters needs 4 widths (stem and 3 stages), '
                             f'got {num_filters}')
        blocks = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, num_filters[0], 3, 1, 1, bias=False)
        self.bn1 = build_norm_layer(norm_cfg, num_filters[0])[1]
        self.relu = nn.ReLU(inplace=True)
        in_channels = num_filters[0]
        for stage, (channels, stride) in enumerate(zip(num_filters[1:], (1, 2, 2)), 1):
            layer = nn.Sequential(*(
                _BasicBlock(in_channels if i == 0 else channels, channels,
                            stride if i == 0 else 1, norm_cfg) for i in range(blocks)))
            self.add_module(f'layer{stage}', layer)
            in_channels = channels

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        return (self.layer3(self.layer2(self.layer1(x))), )
