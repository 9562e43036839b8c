# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""ReviewKD's chain of attention-based fusion (ABF) modules, as a student-side connector."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmdet.registry import MODELS
from torch import Tensor, nn

from .base import LevelwiseConnector


class AttentionFusion(nn.Module):
    """One ABF: a 1x1 conv to ``mid_channels``, fused with the coarser level's residual by
    two per-pixel attention maps (absent on the coarsest level), then a 3x3 conv to the
    teacher's channels. Returns the output and the residual for the next finer level."""

    def __init__(self, in_channels: int, mid_channels: int, out_channels: int, fuse: bool,
                 norm_cfg: dict) -> None:
        super().__init__()
        self.reduce = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, 1, bias=False),
            build_norm_layer(norm_cfg, mid_channels)[1])
        self.expand = nn.Sequential(
            nn.Conv2d(mid_channels, out_channels, 3, padding=1, bias=False),
            build_norm_layer(norm_cfg, out_channels)[1])
        self.attention = nn.Sequential(nn.Conv2d(2 * mid_channels, 2, 1),
                                       nn.Sigmoid()) if fuse else None
        # ReviewKD's initialisation of the two convolutions (the attention keeps torch's)
        nn.init.kaiming_uniform_(self.reduce[0].weight, a=1)
        nn.init.kaiming_uniform_(self.expand[0].weight, a=1)

    def forward(self, x: Tensor, residual: Optional[Tensor] = None):
        x = self.reduce(x)
        if self.attention is not None:
            residual = F.interpolate(residual, x.shape[-2:], mode='nearest')
            attention = self.attention(torch.cat([x, residual], dim=1))
            x = x * attention[:, :1] + residual * attention[:, 1:]
        return self.expand(x), x


@MODELS.register_module()
class ReviewKDConnector(LevelwiseConnector):
    """Maps the student's pyramid levels to the teacher's channels, coarse to fine, each
    level fused with what the coarser levels left (ReviewKD, arXiv 2104.09044; the detection
    version in ZhouXinzzzzz/CKD detection/model/reviewkd.py, ``mid`` = 256).

    Args:
        in_channels (Sequence[int]): The student's channels per level, finest first.
        out_channels (Sequence[int]): The teacher's channels per level, finest first.
        mid_channels (int): Channels of the fused residual path.
        norm_cfg (dict): Normalisation after each convolution (BatchNorm as ReviewKD).
    """

    def __init__(self, in_channels: Sequence[int], out_channels: Sequence[int],
                 mid_channels: int = 256, norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(in_channels, out_channels, init_cfg)
        last = len(self.in_channels) - 1
        self.fusions = nn.ModuleList(
            AttentionFusion(cin, mid_channels, cout, level < last, norm_cfg)
            for level, (cin, cout) in enumerate(zip(self.in_channels, self.out_channels)))

    def forward(self, feats: Sequence[Tensor]) -> List[Tensor]:
        self.check_levels(feats)
        outputs, residual = [None] * len(feats), None
        for level in reversed(range(len(feats))):  # the coarsest level first
            outputs[level], residual = self.fusions[level](feats[level], residual)
        return outputs
