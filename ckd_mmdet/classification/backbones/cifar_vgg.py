# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""The CIFAR VGGs with batch norm of the CRD benchmark (vgg8, vgg11, vgg13, vgg16, vgg19).

MMPretrain's ``VGG`` is the ImageNet one (4096-wide classifier, max-pool after every stage, no
VGG-8). These have five conv blocks, max-pool after the first three only (after the fourth
too for 64-pixel inputs, as in CRD), and a single linear classifier on the global average
(the neck and head of the config). Module names follow CRD/mdistiller (``block0.0.weight``,
...).
"""
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmpretrain.models.backbones.base_backbone import BaseBackbone
from mmpretrain.registry import MODELS


@MODELS.register_module()
class CifarVGG(BaseBackbone):
    """CRD-style CIFAR VGG with BN.

    Args:
        depth (int): 8, 11, 13, 16 or 19.
        norm_cfg (dict): normalisation layers. Defaults to BN.

    Returns (forward):
        tuple[Tensor]: the last block's map, (B, 512, H/8, W/8) for 32-pixel inputs.
    """
    arch_settings = {
        8: ((64, ), (128, ), (256, ), (512, ), (512, )),
        11: ((64, ), (128, ), (256, 256), (512, 512), (512, 512)),
        13: ((64, 64), (128, 128), (256, 256), (512, 512), (512, 512)),
        16: ((64, 64), (128, 128), (256, ) * 3, (512, ) * 3, (512, ) * 3),
        19: ((64, 64), (128, 128), (256, ) * 4, (512, ) * 4, (512, ) * 4),
    }

    def __init__(self, depth, norm_cfg=dict(type='BN'),
                 init_cfg=(dict(type='Kaiming', layer='Conv2d'),
                           dict(type='Constant', val=1, layer=['_BatchNorm']))):
        super().__init__(init_cfg=list(init_cfg) if init_cfg else None)
        if depth not in self.arch_settings:
            raise ValueError(f'CifarVGG: depth must be one of {sorted(self.arch_settings)}, '
                             f'got {depth}')
        in_channels = 3
        for index, widths in enumerate(self.arch_settings[depth]):
            layers = []
            for width in widths:
                layers += [nn.Conv2d(in_channels, width, 3, padding=1),
                           build_norm_layer(norm_cfg, width)[1], nn.ReLU(inplace=True)]
                in_channels = width
            # The block's last ReLU is applied in forward, after the block (CRD's layout,
            # which keeps the state-dict indices of its checkpoints).
            self.add_module(f'block{index}', nn.Sequential(*layers[:-1]))

    def forward(self, x):
        pool_after_block3 = x.shape[2] == 64
        for index in range(5):
            x = F.relu(getattr(self, f'block{index}')(x))
            if index < 3 or (index == 3 and pool_after_block3):
                x = F.max_pool2d(x, 2, 2)
        return (x, )
