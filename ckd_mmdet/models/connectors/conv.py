# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""A 1x1 convolution per level: the plainest student-side connector."""
from typing import List, Optional, Sequence

from mmdet.registry import MODELS
from torch import Tensor, nn

from .base import LevelwiseConnector


@MODELS.register_module()
class ConvConnector(LevelwiseConnector):
    """Maps each student level to the teacher's channels with its own 1x1 convolution (a
    FitNets-style regressor). For a feature loss that needs equal channels (PKD) when the
    two necks differ in width; ReviewKD has its own connector.

    Args:
        in_channels (Sequence[int]): The student's channels per level.
        out_channels (Sequence[int]): The teacher's channels per level.
    """

    def __init__(self, in_channels: Sequence[int], out_channels: Sequence[int],
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(in_channels, out_channels, init_cfg)
        self.convs = nn.ModuleList(nn.Conv2d(cin, cout, 1)
                                   for cin, cout in zip(in_channels, out_channels))

    def forward(self, feats: Sequence[Tensor]) -> List[Tensor]:
        self.check_levels(feats)
        return [conv(level) for conv, level in zip(self.convs, feats)]
