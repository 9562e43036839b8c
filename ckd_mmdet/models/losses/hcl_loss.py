# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""ReviewKD's hierarchical context loss (HCL) between feature pyramids."""
from typing import Sequence

import torch.nn.functional as F
from mmdet.registry import MODELS
from torch import Tensor, nn


def hcl_loss(student_feats: Sequence[Tensor], teacher_feats: Sequence[Tensor],
             pool_sizes: Sequence[int] = (4, 2, 1)) -> Tensor:
    """Sum over levels of the MSE between the maps plus, with weights 1/2, 1/4, ..., the MSE
    between their average-pooled ``p x p`` versions, divided by the sum of the weights.

    A pooled size is skipped when it is not smaller than the map's height, as in ReviewKD's
    ``hcl`` (ZhouXinzzzzz/CKD and megvii-research/mdistiller, detection/model/reviewkd.py),
    which looks at the height only.
    """
    total = 0.
    for student, teacher in zip(student_feats, teacher_feats):
        loss, weight, weights = F.mse_loss(student, teacher), 1., 1.
        for size in pool_sizes:
            if size >= student.shape[2]:
                continue
            weight /= 2
            loss = loss + weight * F.mse_loss(F.adaptive_avg_pool2d(student, size),
                                              F.adaptive_avg_pool2d(teacher, size))
            weights += weight
        total = total + loss / weights
    return total


@MODELS.register_module()
class HCLLoss(nn.Module):
    """``loss_weight * hcl_loss(student_feats, teacher_feats)``: ReviewKD's feature loss.

    Compares whole maps level by level, so mmdet's per-sample ``weight``/``avg_factor``
    arguments have no meaning here; shapes must match level by level.
    """

    def __init__(self, loss_weight: float = 1.0, pool_sizes: Sequence[int] = (4, 2, 1)):
        super().__init__()
        self.loss_weight = loss_weight
        self.pool_sizes = tuple(pool_sizes)

    def forward(self, student_feats: Sequence[Tensor],
                teacher_feats: Sequence[Tensor]) -> Tensor:
        return self.loss_weight * hcl_loss(student_feats, teacher_feats, self.pool_sizes)
