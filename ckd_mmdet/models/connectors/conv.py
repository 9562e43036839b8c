# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""A 1x1 convolution per level: the plainest student-side connector."""
from typing import List, Optional, Sequence

from mmdet.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


@MODELS.register_module()
class ConvConnector(BaseModule):
    """Maps each student level to the teacher's channels with its own 1x1 convolution (a
    FitNets-style regressor). For a feature loss that needs equal channels (PKD) when the
    two necks differ in width; ReviewKD has its own connector.

    Args:
        in_channels (Sequence[int]): The student's channels per level.
        out_channels (Sequence[int]): The teacher's channels per level.
    """

    def __init__(self, in_channels: Sequence[int], out_channels: Sequence[int],
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        in_channels, out_channels = list(in_channels), list(out_channels)
        if not in_channels or len(in_channels) != len(out_channels):
            raise ValueError(
                f'ConvConnector maps each student level to the teacher level of the same '
                f'index: in_channels {in_channels} (student) and out_channels {out_channels} '
                f'(teacher) must list the same, non-zero number of levels')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.convs = nn.ModuleList(nn.Conv2d(cin, cout, 1)
                                   for cin, cout in zip(in_channels, out_channels))

    def forward(self, feats: Sequence[Tensor]) -> List[Tensor]:
        if len(feats) != len(self.convs):
            raise ValueError(f'ConvConnector was built for {len(self.convs)} levels, got '
                             f'{len(feats)} feature maps')
        return [conv(level) for conv, level in zip(self.convs, feats)]
