# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Contrastive Knowledge Distillation loss (CKD, arXiv 2404.14109)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.losses.utils import weight_reduce_loss
from mmengine.registry import MODELS
from torch import Tensor

_REDUCTIONS = ('none', 'mean', 'sum')


def ckd_loss(student_logits: Tensor, teacher_logits: Tensor, tau: float = 1.0) -> Tensor:
    """Per-sample CKD loss: teacher row i must pick student row i among all student rows.

    ``M = normalize(T) @ normalize(S).T`` (cosine similarities, no softmax on the logits) and
    ``loss_i = -log softmax(M[i] / tau)[i]``. Computed in at least float32, autocast off.

    Args:
        student_logits (Tensor): (N, C) student logits.
        teacher_logits (Tensor): (N, C) teacher logits; detached here.
        tau (float): Temperature dividing the cosine similarities.

    Returns:
        Tensor: (N,) loss of each sample, in float32 (float64 for float64 inputs).
    """
    dtype = torch.promote_types(student_logits.dtype, torch.float32)
    with torch.autocast(student_logits.device.type, enabled=False):
        # A zero row normalises to zero (eps), so its cosines are 0, never NaN.
        student = F.normalize(student_logits.to(dtype), dim=1)
        teacher = F.normalize(teacher_logits.detach().to(dtype), dim=1)
        if student.shape[0] == 0:  # cross_entropy rejects an empty class dimension
            return student.sum(dim=1)
        similarity = teacher @ student.t() / tau
        targets = torch.arange(similarity.shape[0], device=similarity.device)
        return F.cross_entropy(similarity, targets, reduction='none')


@MODELS.register_module()
class CKDLoss(nn.Module):
    """CKD loss module following the mmdet loss contract.

    Registered in MMEngine's root ``MODELS`` registry, so ``dict(type='CKDLoss')`` builds from
    the mmdet, mmrazor and mmpretrain scopes alike.

    Args:
        loss_weight (float): Weight of the loss (0.1 for detection, 10 for ImageNet).
        tau (float): Temperature, > 0. Larger values flatten every row towards log(N).
        reduction (str): 'none' (per-sample (N,)), 'mean' or 'sum'.
        check_finite (bool): Raise ``FloatingPointError`` naming the input when a logit is
            NaN or inf. On by default because a non-finite teacher (a broken checkpoint, a
            wrong image normalisation) would otherwise poison the student silently; the check
            costs one device synchronisation, which the logger's ``loss.item()`` pays anyway.
            Set False to let non-finite values propagate (e.g. to leave an fp16 overflow to
            AMP's GradScaler, which skips such steps).
    """

    def __init__(self, loss_weight: float = 1.0, tau: float = 1.0, reduction: str = 'mean',
                 check_finite: bool = True) -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f'CKDLoss: reduction must be one of {_REDUCTIONS}, got {reduction!r}')
        if not tau > 0:
            raise ValueError(f'CKDLoss: tau must be > 0, got {tau!r}')
        self.loss_weight = float(loss_weight)
        self.tau = float(tau)
        self.reduction = reduction
        self.check_finite = check_finite

    def extra_repr(self) -> str:
        return (f'loss_weight={self.loss_weight}, tau={self.tau}, reduction={self.reduction!r}, '
                f'check_finite={self.check_finite}')

    def forward(self, student_logits: Tensor, teacher_logits: Tensor,
                weight: Optional[Tensor] = None, avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        """Args: (N, C) student and teacher logits; ``weight`` (N,) per sample; ``avg_factor``
        replaces N as the divisor of the 'mean' reduction. Returns a scalar, or (N,) for 'none'."""
        reduction = reduction_override or self.reduction
        if reduction not in _REDUCTIONS:
            raise ValueError(f'CKDLoss: reduction_override must be one of {_REDUCTIONS}, '
                             f'got {reduction_override!r}')
        if student_logits.dim() != 2 or student_logits.shape != teacher_logits.shape:
            raise ValueError('CKDLoss expects student and teacher logits of the same shape '
                             f'(N, C); got student {tuple(student_logits.shape)} and teacher '
                             f'{tuple(teacher_logits.shape)}')
        if weight is not None and weight.shape != student_logits.shape[:1]:
            raise ValueError(f'CKDLoss: weight must have shape ({student_logits.shape[0]},), '
                             f'got {tuple(weight.shape)}')
        if self.check_finite:
            for name, logits in (('student', student_logits), ('teacher', teacher_logits)):
                bad_rows = int((~torch.isfinite(logits)).any(dim=1).sum())
                if bad_rows:
                    raise FloatingPointError(
                        f'CKDLoss: {bad_rows} of {logits.shape[0]} {name} logit rows hold NaN '
                        'or inf. Check the learning rate, the teacher checkpoint and its image '
                        'normalisation; pass check_finite=False to let them propagate instead.')
        loss = ckd_loss(student_logits, teacher_logits, self.tau)
        if loss.numel() == 0 and reduction != 'none':
            return loss.sum()  # 0 with a grad_fn; a mean over no samples would be NaN
        loss = weight_reduce_loss(loss, weight, reduction, avg_factor)
        return self.loss_weight * loss
