# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Soft-target KD for sigmoid classifiers (dense heads): the baseline CKD is measured against."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.registry import MODELS
from torch import Tensor

from .row_loss_contract import check_reduction, check_rows, reduce_rows


def sigmoid_kd_loss(student_logits: Tensor, teacher_logits: Tensor,
                    beta: float = 1.0) -> Tensor:
    """Per-sample loss: ``sum_c BCE(s_c, sigmoid(t_c)) * |sigmoid(s_c) - sigmoid(t_c)|^beta``.

    Each class column is a binary problem whose soft target is the teacher's probability, the
    focal factor (beta > 0) down-weighting columns the student already matches. beta = 1 is
    CrossKD's ``KDQualityFocalLoss`` (its RetinaNet/GFL/ATSS/FCOS configs), beta = 0 plain
    binary soft-target KD. Returns (N,), float32 at least.
    """
    dtype = torch.promote_types(student_logits.dtype, torch.float32)
    with torch.autocast(student_logits.device.type, enabled=False):
        student = student_logits.to(dtype)
        target = teacher_logits.detach().to(dtype).sigmoid()
        loss = F.binary_cross_entropy_with_logits(student, target, reduction='none')
        if beta:
            loss = loss * (student.sigmoid() - target).abs().pow(beta)
        return loss.sum(dim=1)


@MODELS.register_module()
class SigmoidKDLoss(nn.Module):
    """``sigmoid_kd_loss`` with mmdet's loss contract (``weight`` (N,), ``avg_factor``,
    ``reduction_override``); registered in MMEngine's root registry like ``CKDLoss``.

    Args:
        loss_weight (float): Weight of the loss (CrossKD uses 1.0).
        beta (float): Focal exponent, >= 0 (1.0 as CrossKD; 0 for plain soft-target BCE).
        reduction (str): 'none', 'mean' (per selected prior) or 'sum'.
    """

    def __init__(self, loss_weight: float = 1.0, beta: float = 1.0,
                 reduction: str = 'mean') -> None:
        super().__init__()
        check_reduction('SigmoidKDLoss', reduction)
        if not beta >= 0:
            raise ValueError(f'SigmoidKDLoss: beta must be >= 0, got {beta!r}')
        self.loss_weight = float(loss_weight)
        self.beta = float(beta)
        self.reduction = reduction

    def forward(self, student_logits: Tensor, teacher_logits: Tensor,
                weight: Optional[Tensor] = None, avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        reduction = reduction_override or self.reduction
        check_reduction('SigmoidKDLoss', reduction, 'reduction_override')
        check_rows('SigmoidKDLoss', student_logits, teacher_logits, weight)
        loss = sigmoid_kd_loss(student_logits, teacher_logits, self.beta)
        return reduce_rows(loss, self.loss_weight, weight, reduction, avg_factor)
