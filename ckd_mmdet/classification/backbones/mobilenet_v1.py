# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""MobileNetV1 (Howard et al. 2017), the ImageNet student of the R50 -> MobileNetV1 pair.

Neither MMPretrain nor MMRazor ships it. Same layout as the model used by OFD, ReviewKD,
mdistiller and CKD: a stride-2 3x3 stem of 32 channels and 13 depthwise-separable blocks to
1024 channels (output stride 32).
"""
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS


@MODELS.register_module()
class MobileNetV1(BaseBackbone):
    """MobileNetV1.

    Args:
        widen_factor (float): width multiplier of every layer. Defaults to 1.
        norm_cfg (dict): normalisation layers. Defaults to BN.

    Returns (forward):
        tuple[Tensor]: the last map, (B, 1024 * widen_factor, H/32, W/32).
    """
    # (output channels, stride) of the depthwise-separable blocks
    arch_settings = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1),
                     (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, widen_factor=1.0, norm_cfg=dict(type='BN'),
                 init_cfg=(dict(type='Kaiming', layer='Conv2d'),
                           dict(type='Constant', val=1, layer=['_BatchNorm']))):
        super().__init__(init_cfg=list(init_cfg) if init_cfg else None)
        in_channels = int(32 * widen_factor)
        layers = [ConvModule(3, in_channels, 3, stride=2, padding=1, norm_cfg=norm_cfg)]
        for channels, stride in self.arch_settings:
            channels = int(channels * widen_factor)
            layers += [ConvModule(in_channels, in_channels, 3, stride=stride, padding=1,
                                  groups=in_channels, norm_cfg=norm_cfg),
                       ConvModule(in_channels, channels, 1, norm_cfg=norm_cfg)]
            in_channels = channels
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return (self.layers(x), )
