# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""What every row-wise logit loss of the package checks and how it reduces: mmdet's loss
contract (``weight`` per row, ``avg_factor``, ``reduction_override``), with errors that name
the loss and the argument."""
from typing import Optional

from mmdet.models.losses.utils import weight_reduce_loss
from torch import Tensor

REDUCTIONS = ('none', 'mean', 'sum')


def check_reduction(owner: str, reduction: Optional[str], argument: str = 'reduction') -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f'{owner}: {argument} must be one of {REDUCTIONS}, got {reduction!r}')


def check_rows(owner: str, student_logits: Tensor, teacher_logits: Tensor,
               weight: Optional[Tensor]) -> None:
    """Student and teacher logits are (N, C) alike; ``weight``, if given, is (N,)."""
    if student_logits.dim() != 2 or student_logits.shape != teacher_logits.shape:
        raise ValueError(f'{owner} expects student and teacher logits of the same shape '
                         f'(N, C); got student {tuple(student_logits.shape)} and teacher '
                         f'{tuple(teacher_logits.shape)}')
    if weight is not None and weight.shape != student_logits.shape[:1]:
        raise ValueError(f'{owner}: weight must have shape ({student_logits.shape[0]},), '
                         f'got {tuple(weight.shape)}')


def reduce_rows(loss: Tensor, loss_weight: float, weight: Optional[Tensor], reduction: str,
                avg_factor: Optional[float]) -> Tensor:
    """``loss_weight`` x the reduced (N,) per-row ``loss``; with no rows, a zero that still
    has a grad_fn (a mean over no rows would be NaN)."""
    if loss.numel() == 0 and reduction != 'none':
        return loss.sum()
    return loss_weight * weight_reduce_loss(loss, weight, reduction, avg_factor)
