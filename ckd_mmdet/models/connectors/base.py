# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""What every student-side connector shares: level i of the student maps to level i of the
teacher."""
from typing import Optional, Sequence

from mmengine.model import BaseModule


class LevelwiseConnector(BaseModule):
    """Holds and checks ``in_channels`` (the student's, per level) and ``out_channels`` (the
    teacher's), which ``FeatureDistillation`` fills in from the two necks."""

    def __init__(self, in_channels: Sequence[int], out_channels: Sequence[int],
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        in_channels, out_channels = list(in_channels), list(out_channels)
        if not in_channels or len(in_channels) != len(out_channels):
            raise ValueError(
                f'{type(self).__name__} maps each student level to the teacher level of the '
                f'same index: in_channels {in_channels} (student) and out_channels '
                f'{out_channels} (teacher) must list the same, non-zero number of levels')
        self.in_channels, self.out_channels = in_channels, out_channels

    def check_levels(self, feats: Sequence) -> None:
        if len(feats) != len(self.in_channels):
            raise ValueError(f'{type(self).__name__} was built for {len(self.in_channels)} '
                             f'levels, got {len(feats)} feature maps')
