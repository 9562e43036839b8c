# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""MMPretrain's ShuffleNetV2 and MobileNetV2 with the CIFAR stems of the CRD benchmark.

MMPretrain's versions downsample 32x before the pool (a 32-pixel CIFAR image ends at 1x1).
CRD's ``ShuffleV2`` keeps full resolution in the stem (stride-1 conv, no max-pool); its
``mobile_half`` (MobileNetV2, width 0.5) does not downsample in the second stage (output
stride 16). Everything else is MMPretrain's; the only difference from CRD's MobileNetV2 left
is MMPretrain's rounding of widths to multiples of 8 (stage 2: 16 channels, not 12).
"""
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmpretrain.models.backbones import MobileNetV2, ShuffleNetV2
from mmpretrain.registry import MODELS


@MODELS.register_module()
class CifarShuffleNetV2(ShuffleNetV2):
    """``ShuffleNetV2`` with a stride-1 stem and no max-pool (output stride 8)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        stem = self.conv1
        self.conv1 = ConvModule(stem.conv.in_channels, stem.conv.out_channels, 3, stride=1,
                                padding=1, conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg,
                                act_cfg=self.act_cfg)
        self.maxpool = nn.Identity()
        self._freeze_stages()


@MODELS.register_module()
class CifarMobileNetV2(MobileNetV2):
    """``MobileNetV2`` whose second stage keeps the resolution (output stride 16).

    Use ``widen_factor=0.5`` for CRD's ``mobile_half``, the student of the CIFAR-100 pairs.
    """
    arch_settings = [[1, 16, 1, 1], [6, 24, 2, 1], [6, 32, 3, 2], [6, 64, 4, 2],
                     [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]
