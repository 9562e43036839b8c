# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Contrastive Knowledge Distillation loss (CKD, arXiv 2404.14109)."""
import math
from typing import Optional

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.losses.utils import weight_reduce_loss
from mmengine.registry import MODELS
from torch import Tensor
from torch.autograd.function import once_differentiable

_REDUCTIONS = ('none', 'mean', 'sum')


def ckd_loss(student_logits: Tensor, teacher_logits: Tensor, tau: float = 1.0,
             streaming_threshold: int = 16384, gather_negatives: bool = False) -> Tensor:
    """Per-sample CKD loss: teacher row i must pick student row i among all student rows.

    ``M = normalize(T) @ normalize(S).T`` (cosine similarities, no softmax on the logits) and
    ``loss_i = -log softmax(M[i] / tau)[i]``. Computed in at least float32, autocast off.

    The N x N softmax is never materialised as such: the forward pass exponentiates ``M / tau``
    block by block while the block is in cache, and the backward pass needs one matrix
    product. Up to ``streaming_threshold`` samples the exponentials are kept for the backward
    pass (4 N^2 bytes, what the bare product needs anyway); above it, they are recomputed
    block by block (one more matrix product, memory O(N C + block x N)). Both are exact.

    Args:
        student_logits (Tensor): (N, C) student logits.
        teacher_logits (Tensor): (N, C) teacher logits; detached here.
        tau (float): Temperature dividing the cosine similarities.
        streaming_threshold (int): Largest N that keeps the N x N exponentials; 0 streams
            always.
        gather_negatives (bool): In a distributed run, contrast this process's teacher rows
            with the student rows of every process (this process's own student row is the
            positive). Only student rows are gathered: teacher rows are the anchors, and each
            process keeps its own. Their gradient reaches the student rows of the process
            that holds them, so that, averaged by DDP, training equals one process on the
            concatenated batch. Every process must call the loss (a collective).

    Returns:
        Tensor: (N,) loss of each sample, in float32 (float64 for float64 inputs).
    """
    dtype = torch.promote_types(student_logits.dtype, torch.float32)
    with torch.autocast(student_logits.device.type, enabled=False):
        # A zero row normalises to zero (eps), so its cosines are 0, never NaN.
        student = F.normalize(student_logits.to(dtype), dim=1)
        teacher = F.normalize(teacher_logits.detach().to(dtype), dim=1)
        offset = 0
        if gather_negatives and dist.is_available() and dist.is_initialized() \
                and dist.get_world_size() > 1:
            offset, student = _gather_rows(student)
        if teacher.shape[0] == 0:  # cross_entropy rejects an empty class dimension
            return student[:0].sum(dim=1)  # still joins a gathered backward pass
        return contrastive_cross_entropy(teacher, student, tau, offset, streaming_threshold)


def _gather_rows(rows: Tensor):
    """(offset of this process's rows, all processes' rows concatenated); differentiable."""
    count = torch.tensor([rows.shape[0]], device=rows.device)
    counts = [torch.zeros_like(count) for _ in range(dist.get_world_size())]
    dist.all_gather(counts, count)
    counts = [int(c) for c in counts]
    return sum(counts[:dist.get_rank()]), _GatherRows.apply(rows, counts)


class _GatherRows(torch.autograd.Function):
    """all_gather of row blocks of different lengths; the backward pass sums every process's
    gradient for this process's rows (all_reduce: gloo has no reduce_scatter)."""

    @staticmethod
    def forward(ctx, rows, counts):
        padded = rows.new_zeros(max(counts), rows.shape[1])
        padded[:rows.shape[0]] = rows
        gathered = [torch.empty_like(padded) for _ in counts]
        dist.all_gather(gathered, padded)
        ctx.start = sum(counts[:dist.get_rank()])
        ctx.count = rows.shape[0]
        return torch.cat([block[:count] for block, count in zip(gathered, counts)])

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous()
        dist.all_reduce(grad)
        return grad[ctx.start:ctx.start + ctx.count], None


def contrastive_cross_entropy(anchors: Tensor, candidates: Tensor, tau: float = 1.0,
                              offset: int = 0, streaming_threshold: int = 16384) -> Tensor:
    """``loss_i = -log softmax(anchors @ candidates.T / tau)[i, offset + i]`` on row-normalised
    (n, C) anchors and (m, C) candidates; the gradient flows to the candidates only.

    ``ckd_loss`` is the square case (teacher anchors, student candidates, offset 0); with
    candidates gathered from several processes, ``offset`` is where this process's rows
    start among them.
    """
    num_candidates = candidates.shape[0]
    if 1 / tau + math.log(num_candidates) >= _EXP_LIMIT[candidates.dtype]:
        return dense_contrastive_cross_entropy(anchors, candidates, tau, offset)
    return _ContrastiveCrossEntropy.apply(candidates, anchors / tau, offset,
                                          num_candidates > streaming_threshold)


def dense_contrastive_cross_entropy(anchors: Tensor, candidates: Tensor, tau: float = 1.0,
                                    offset: int = 0) -> Tensor:
    """The textbook form: cross-entropy of the whole cosine matrix. The reference the fused
    form is tested against; used where ``exp(cosine / tau)`` could overflow."""
    similarity = anchors @ candidates.t() / tau
    targets = torch.arange(offset, offset + similarity.shape[0], device=similarity.device)
    return F.cross_entropy(similarity, targets, reduction='none')


# Cosines lie in [-1, 1], so exp(M / tau) needs no max-subtraction as long as
# m * exp(1 / tau) stays finite (and exp(-1 / tau) normal): 1 / tau + log m below this.
_EXP_LIMIT = {torch.float32: 80.0, torch.float64: 700.0}


class _ContrastiveCrossEntropy(torch.autograd.Function):
    """loss_i = log sum_j exp(A_i . S_j) - A_i . S_(offset+i), A = anchors / tau; gradient
    for S only.

    Works on E^T = exp(S A^T) (candidates x anchors), block by candidate rows: the row sums
    of E are column sums of E^T, and the backward product E^T @ (weights * A) reads E^T in
    its own memory order (faster than a transposed read).
    """

    @staticmethod
    def forward(ctx, candidates, anchors_scaled, offset, streaming):
        # Blocks' column sums accumulate in float64: with float32 running sums the losses
        # drifted 1e-5 from the dense result at N = 32768; float64 keeps them at 1e-6.
        row_sums = candidates.new_zeros(anchors_scaled.shape[0], dtype=torch.float64)
        kept = None if streaming else candidates.new_empty(candidates.shape[0],
                                                           anchors_scaled.shape[0])
        ones = candidates.new_ones(min(len(candidates), _block_rows(candidates, anchors_scaled)))
        for _, block in _blocks(candidates, anchors_scaled, kept):
            row_sums += block.t() @ ones[:len(block)]  # column sums: 2x sum(dim=0) on CPU
        log_sums = row_sums.log().to(candidates.dtype)
        row_sums = row_sums.to(candidates.dtype)
        ctx.save_for_backward(candidates, anchors_scaled, row_sums)
        ctx.kept, ctx.offset = kept, offset
        positives = candidates[offset:offset + anchors_scaled.shape[0]]
        return log_sums - (anchors_scaled * positives).sum(dim=1)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_loss):
        candidates, anchors_scaled, row_sums = ctx.saved_tensors
        # d loss_i / d S_j = g_i (P_ij - [j == offset + i]) A_i, P_ij = E_ij / row_sums_i.
        weighted = anchors_scaled * (grad_loss / row_sums)[:, None]
        if ctx.kept is not None:
            grad = ctx.kept @ weighted
        else:
            grad = torch.empty_like(candidates)
            for rows, block in _blocks(candidates, anchors_scaled, None):
                torch.mm(block, weighted, out=grad[rows])
        grad[ctx.offset:ctx.offset + len(anchors_scaled)] -= anchors_scaled * grad_loss[:, None]
        ctx.kept = None
        return grad, None, None, None


def _block_rows(candidates, anchors_scaled):
    # 32 MiB blocks: measured on a 2-core CPU (32 MiB L3), blocks of 1, 4, 8, 16 and 32 MiB
    # cost 1.70, 1.43, 1.35, 1.29 and 1.26 x the bare products at N = 8192 (larger blocks,
    # fuller products; the exponential still runs on cached data); 32 MiB also bounds the
    # streaming path's extra memory.
    return max(16, 2**25 // (anchors_scaled.shape[0] * candidates.element_size()))


def _blocks(candidates, anchors_scaled, out):
    """Yields (rows, exp(S[rows] @ A.T)) block by block, written into ``out`` (all the
    exponentials, kept) or, streaming, into one reused block buffer."""
    num_candidates, num_anchors = candidates.shape[0], anchors_scaled.shape[0]
    block_rows = _block_rows(candidates, anchors_scaled)
    buffer = None if out is not None else candidates.new_empty(
        min(block_rows, num_candidates), num_anchors)
    for start in range(0, num_candidates, block_rows):
        rows = slice(start, min(start + block_rows, num_candidates))
        block = out[rows] if out is not None else buffer[:rows.stop - start]
        torch.mm(candidates[rows], anchors_scaled.t(), out=block)
        yield rows, block.exp_()


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
        gather_negatives (bool): Off by default, as the paper computes the loss per GPU. On,
            each GPU's teacher rows are contrasted with the student rows of all GPUs (see
            ``ckd_loss``); every process must then call the loss on every iteration.
        streaming_threshold (int): Batches of more samples are computed block by block with
            memory O(N C) instead of keeping N x N values (one more matrix product; the same
            result). 16384 keeps at most 1 GiB; 0 streams always.
    """

    def __init__(self, loss_weight: float = 1.0, tau: float = 1.0, reduction: str = 'mean',
                 check_finite: bool = True, streaming_threshold: int = 16384,
                 gather_negatives: bool = False) -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f'CKDLoss: reduction must be one of {_REDUCTIONS}, got {reduction!r}')
        if not tau > 0:
            raise ValueError(f'CKDLoss: tau must be > 0, got {tau!r}')
        self.loss_weight = float(loss_weight)
        self.tau = float(tau)
        self.reduction = reduction
        self.check_finite = check_finite
        if streaming_threshold < 0:
            raise ValueError(f'CKDLoss: streaming_threshold must be >= 0, got '
                             f'{streaming_threshold!r}')
        self.streaming_threshold = int(streaming_threshold)
        self.gather_negatives = bool(gather_negatives)

    def extra_repr(self) -> str:
        return (f'loss_weight={self.loss_weight}, tau={self.tau}, reduction={self.reduction!r}, '
                f'check_finite={self.check_finite}, '
                f'streaming_threshold={self.streaming_threshold}, '
                f'gather_negatives={self.gather_negatives}')

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
        loss = ckd_loss(student_logits, teacher_logits, self.tau, self.streaming_threshold,
                        self.gather_negatives)
        if loss.numel() == 0 and reduction != 'none':
            return loss.sum()  # 0 with a grad_fn; a mean over no samples would be NaN
        loss = weight_reduce_loss(loss, weight, reduction, avg_factor)
        return self.loss_weight * loss
