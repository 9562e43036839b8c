# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Contrastive Knowledge Distillation loss (CKD, arXiv 2404.14109)."""
import math
from typing import Optional, Tuple, Union

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from mmengine.registry import MODELS
from torch import Tensor

from .contrastive_kernel import EXP_LIMIT, blockwise_contrastive_cross_entropy
from .gather_rows import gather_rows, mean_divisor
from .row_loss_contract import check_reduction, check_rows, reduce_rows


def ckd_loss(student_logits: Tensor, teacher_logits: Tensor, tau: float = 1.0,
             streaming_threshold: int = 16384, gather_negatives: bool = False,
             groups: Optional[Tensor] = None,
             with_top1: bool = False) -> Union[Tensor, Tuple[Tensor, Tensor]]:
    """Per-sample CKD loss: teacher row i must pick student row i among all student rows.

    ``M = normalize(T) @ normalize(S).T`` (cosine similarities, no softmax on the logits) and
    ``loss_i = -log softmax(M[i] / tau)[i]``, computed in at least float32 with autocast off
    by the blockwise kernel (``contrastive_kernel``), which equals
    ``dense_contrastive_cross_entropy`` without forming the N x N softmax.

    Args:
        student_logits (Tensor): (N, C) student logits.
        teacher_logits (Tensor): (N, C) teacher logits; detached here.
        tau (float): Temperature dividing the cosine similarities.
        streaming_threshold (int): Largest N whose N x N exponentials are kept for the
            backward pass; above it they are recomputed (memory O(N C)); 0 streams always.
        gather_negatives (bool): In a distributed run, contrast this process's teacher rows
            with the student rows of every process (``gather_rows``; a collective).
        groups (Tensor, optional): (N,) integer group of each row: rows of one group (e.g.
            the RoIs or priors assigned to one object) are not each other's negatives.
            Computed densely (N x N); not with ``gather_negatives``.
        with_top1 (bool): Also return whether each teacher row's most similar student row
            (of those it is contrasted with) is its own, the quantity the loss optimises;
            computed in the same pass.

    Returns:
        Tensor: (N,) loss of each sample, in float32 (float64 for float64 inputs); with
        ``with_top1``, also (N,) booleans (ties count as top-1).
    """
    dtype = torch.promote_types(student_logits.dtype, torch.float32)
    with torch.autocast(student_logits.device.type, enabled=False):
        # A zero row normalises to zero (eps), so its cosines are 0, never NaN.
        student = F.normalize(student_logits.to(dtype), dim=1)
        teacher = F.normalize(teacher_logits.detach().to(dtype), dim=1)
        offset = 0
        if gather_negatives and _distributed():
            offset, student = gather_rows(student)
        if teacher.shape[0] == 0:  # cross_entropy rejects an empty class dimension
            loss = student[:0].sum(dim=1)  # still joins a gathered backward pass
            top1 = loss.new_zeros(0, dtype=torch.bool)
        elif groups is not None or 1 / tau + math.log(student.shape[0]) >= EXP_LIMIT[dtype]:
            # twins to mask, or an exp that could overflow: the dense form
            loss, top1 = dense_contrastive_cross_entropy(teacher, student, tau, offset, groups,
                                                         with_top1=True)
        else:
            loss, top1 = blockwise_contrastive_cross_entropy(
                teacher / tau, student, offset, student.shape[0] > streaming_threshold)
    return (loss, top1) if with_top1 else loss


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def dense_contrastive_cross_entropy(anchors: Tensor, candidates: Tensor, tau: float = 1.0,
                                    offset: int = 0, groups: Optional[Tensor] = None,
                                    with_top1: bool = False
                                    ) -> Union[Tensor, Tuple[Tensor, Tensor]]:
    """The textbook form on row-normalised (n, C) anchors and (m, C) candidates:
    ``cross_entropy(anchors @ candidates.T / tau, offset + arange(n))``. The reference the
    kernel is tested against, and the stable fallback for extreme tau. With ``groups`` (n = m
    rows), the other rows of a row's group are left out of its softmax. ``with_top1``: also
    whether each anchor's positive is (one of) its largest logits."""
    similarity = contrastive_similarity(anchors, candidates, tau, groups)
    targets = torch.arange(offset, offset + similarity.shape[0], device=similarity.device)
    loss = F.cross_entropy(similarity, targets, reduction='none')
    if not with_top1:
        return loss
    return loss, similarity.gather(1, targets[:, None])[:, 0] >= similarity.amax(dim=1)


def contrastive_similarity(anchors: Tensor, candidates: Tensor, tau: float = 1.0,
                           groups: Optional[Tensor] = None) -> Tensor:
    """The (n, m) logits of ``dense_contrastive_cross_entropy``: ``anchors @ candidates.T /
    tau``, with -inf where ``groups`` makes a candidate no negative of an anchor (another row
    of its group)."""
    similarity = anchors @ candidates.t() / tau
    if groups is not None:
        twins = groups[:, None] == groups[None, :]
        twins.fill_diagonal_(False)
        similarity = similarity.masked_fill(twins, float('-inf'))
    return similarity


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
            NaN or inf: a non-finite teacher (a broken checkpoint, a wrong image
            normalisation) would otherwise poison the student silently. Costs one device
            synchronisation, which the logger's ``loss.item()`` pays anyway. False lets them
            propagate (e.g. to AMP's GradScaler, which skips such steps).
        gather_negatives (bool): Off by default, as the paper computes the loss per GPU. On,
            each GPU's teacher rows are contrasted with the student rows of all GPUs; every
            process must then call the loss on every iteration. With the 'mean' reduction
            (and no ``avg_factor``) each process then divides its summed losses by the mean
            row count of the processes, so that DDP's gradient average equals one process
            on the concatenated batch however the rows are split; the value each process
            logs is its share on that scale, not its own mean.
        streaming_threshold (int): Batches of more samples keep no N x N values (memory
            O(N C), one more matrix product, the same result). 16384 keeps at most 1 GiB.

    After each call, ``top1`` holds the percentage of its teacher rows whose most similar
    student row is their own (what the loss optimises; None for a call without rows): the
    distillers log it as ``ckd_top1``.
    """

    def __init__(self, loss_weight: float = 1.0, tau: float = 1.0, reduction: str = 'mean',
                 check_finite: bool = True, streaming_threshold: int = 16384,
                 gather_negatives: bool = False) -> None:
        super().__init__()
        check_reduction('CKDLoss', reduction)
        if not tau > 0:
            raise ValueError(f'CKDLoss: tau must be > 0, got {tau!r}')
        if streaming_threshold < 0:
            raise ValueError(f'CKDLoss: streaming_threshold must be >= 0, got '
                             f'{streaming_threshold!r}')
        self.loss_weight = float(loss_weight)
        self.tau = float(tau)
        self.reduction = reduction
        self.check_finite = check_finite
        self.streaming_threshold = int(streaming_threshold)
        self.gather_negatives = bool(gather_negatives)
        self.top1: Optional[Tensor] = None

    def extra_repr(self) -> str:
        return (f'loss_weight={self.loss_weight}, tau={self.tau}, reduction={self.reduction!r}, '
                f'check_finite={self.check_finite}, '
                f'streaming_threshold={self.streaming_threshold}, '
                f'gather_negatives={self.gather_negatives}')

    def forward(self, student_logits: Tensor, teacher_logits: Tensor,
                weight: Optional[Tensor] = None, avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None,
                groups: Optional[Tensor] = None) -> Tensor:
        """Args: (N, C) student and teacher logits; ``weight`` (N,) per sample; ``avg_factor``
        replaces N as the divisor of the 'mean' reduction; ``groups`` (N,) integers: rows of
        one group are not each other's negatives (``ckd_loss``). Returns a scalar, or (N,) for
        'none'."""
        reduction = reduction_override or self.reduction
        check_reduction('CKDLoss', reduction, 'reduction_override')
        check_rows('CKDLoss', student_logits, teacher_logits, weight)
        if groups is not None:
            if groups.shape != student_logits.shape[:1] or groups.is_floating_point():
                raise ValueError(f'CKDLoss: groups must be integers of shape '
                                 f'({student_logits.shape[0]},), got {groups.dtype} '
                                 f'{tuple(groups.shape)}')
            if self.gather_negatives:
                raise ValueError('CKDLoss: groups (twins that are not negatives) cannot be '
                                 'combined with gather_negatives=True; set one of them off')
        if self.check_finite:
            for name, logits in (('student', student_logits), ('teacher', teacher_logits)):
                bad_rows = int((~torch.isfinite(logits)).any(dim=1).sum())
                if bad_rows:
                    raise FloatingPointError(
                        f'CKDLoss: {bad_rows} of {logits.shape[0]} {name} logit rows hold NaN '
                        'or inf. Check the learning rate, the teacher checkpoint and its image '
                        'normalisation; pass check_finite=False to let them propagate instead.')
        loss, top1 = ckd_loss(student_logits, teacher_logits, self.tau,
                              self.streaming_threshold, self.gather_negatives, groups,
                              with_top1=True)
        self.top1 = top1.float().mean() * 100 if len(top1) else None
        if self.gather_negatives and reduction == 'mean' and avg_factor is None and \
                _distributed():
            # Each process's own row count would weight a row of a process with few rows
            # more than one of a process with many: divide by the global count instead.
            avg_factor = mean_divisor(loss.shape[0], loss.device)
        return reduce_rows(loss, self.loss_weight, weight, reduction, avg_factor)
