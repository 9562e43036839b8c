# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Differentiable all_gather of row blocks of different lengths (CKD's gathered negatives),
and the divisor that makes a per-process mean over them the mean over all processes' rows."""
from typing import Tuple

import torch
import torch.distributed as dist
from torch import Tensor


def gather_rows(rows: Tensor) -> Tuple[int, Tensor]:
    """(where this process's rows start, every process's rows concatenated by rank).

    A collective: every process must call it. The backward pass sums every process's gradient
    for this process's rows, so that, averaged by DDP, training on losses summed over rows and
    divided by ``mean_divisor`` equals one process on the concatenated batch.
    """
    count = torch.tensor([rows.shape[0]], device=rows.device)
    counts = [torch.zeros_like(count) for _ in range(dist.get_world_size())]
    dist.all_gather(counts, count)
    counts = [int(c) for c in counts]
    return sum(counts[:dist.get_rank()]), _GatherRows.apply(rows, counts)


class _GatherRows(torch.autograd.Function):
    """all_gather of padded blocks, trimmed; backward all_reduce (gloo has no
    reduce_scatter) and this process's slice."""

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


def mean_divisor(rows: int, device) -> float:
    """What a process divides its summed row losses by so that DDP's average over the
    ``W`` processes equals the mean over every process's rows: ``(sum of rows) / W``. A
    collective: every process must call it."""
    total = torch.tensor([float(rows)], device=device)
    dist.all_reduce(total)
    return float(total) / dist.get_world_size()
