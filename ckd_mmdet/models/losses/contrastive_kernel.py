# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""The fused, blockwise contrastive cross-entropy behind ``ckd_loss``.

``loss_i = log sum_j exp(A_i . S_j) - A_i . S_(offset+i)`` for row-normalised anchors A
(already divided by tau) and candidates S, with the gradient for S only. The N x N softmax is
never formed: the forward pass exponentiates ``S A^T`` block by block while the block is in
cache; the backward pass is one matrix product with the kept exponentials or, streaming,
recomputes them block by block (memory O(N C + block x N)). Both are exact. The forward
pass also tells, for each anchor, whether its positive is its most similar candidate (top-1),
from each block's column maxima while the block is in cache: no second N x N pass.

Cosines lie in [-1, 1], so no max-subtraction is needed as long as ``1 / tau + log m`` stays
below ``EXP_LIMIT[dtype]``; the caller falls back to the dense form beyond it.
"""
from typing import Tuple

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

# m * exp(1 / tau) finite (and exp(-1 / tau) normal) while 1 / tau + log m stays below this.
EXP_LIMIT = {torch.float32: 80.0, torch.float64: 700.0}


def blockwise_contrastive_cross_entropy(anchors_scaled: Tensor, candidates: Tensor,
                                        offset: int = 0, streaming: bool = False
                                        ) -> Tuple[Tensor, Tensor]:
    """(n,) losses of (n, C) ``anchors_scaled`` (= anchors / tau) against (m, C)
    ``candidates``, and (n,) booleans: anchor i's positive, candidate ``offset + i``, is at
    least as similar to it as every other candidate (ties count as top-1). ``streaming``
    keeps no m x n values for the backward pass; neither does a call that no backward pass
    can follow (grad mode off, e.g. validation, or candidates that need no gradient)."""
    keep = not streaming and torch.is_grad_enabled() and candidates.requires_grad
    return _ContrastiveCrossEntropy.apply(candidates, anchors_scaled, offset, keep)


class _ContrastiveCrossEntropy(torch.autograd.Function):
    """Works on E^T = exp(S A^T) (candidates x anchors), block by candidate rows: the row sums
    of E are column sums of E^T, and the backward product E^T @ (weights * A) reads E^T in
    its own memory order (faster than a transposed read)."""

    @staticmethod
    def forward(ctx, candidates, anchors_scaled, offset, keep):
        # Blocks' column sums accumulate in float64: with float32 running sums the losses
        # drifted 1e-5 from the dense result at N = 32768; float64 keeps them at 1e-6.
        row_sums = candidates.new_zeros(anchors_scaled.shape[0], dtype=torch.float64)
        kept = candidates.new_empty(candidates.shape[0], anchors_scaled.shape[0]) \
            if keep else None
        ones = candidates.new_ones(min(len(candidates), _block_rows(candidates, anchors_scaled)))
        num_anchors = anchors_scaled.shape[0]
        # exp is monotonic: anchor i is top-1 when exp(A_i . S_(offset+i)) is its column's max
        column_max = anchors_scaled.new_zeros(num_anchors)
        positive = anchors_scaled.new_empty(num_anchors)
        for rows, block in _blocks(candidates, anchors_scaled, kept):
            row_sums += block.t() @ ones[:len(block)]  # column sums: 2x sum(dim=0) on CPU
            torch.maximum(column_max, block.amax(dim=0), out=column_max)
            first, last = max(rows.start - offset, 0), min(rows.stop - offset, num_anchors)
            if first < last:
                anchors = torch.arange(first, last, device=block.device)
                positive[first:last] = block[anchors + offset - rows.start, anchors]
        log_sums = row_sums.log().to(candidates.dtype)
        row_sums = row_sums.to(candidates.dtype)
        ctx.save_for_backward(candidates, anchors_scaled, row_sums)
        ctx.kept, ctx.offset = kept, offset
        positives = candidates[offset:offset + num_anchors]
        top1 = positive >= column_max
        ctx.mark_non_differentiable(top1)
        return log_sums - (anchors_scaled * positives).sum(dim=1), top1

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_loss, _):
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
