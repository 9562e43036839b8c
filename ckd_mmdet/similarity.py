# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""What CKD optimises, for one distillation step: the teacher x student row-similarity
matrix (cosines of the rows the logit loss gets) and where each teacher row's own student row
ranks in it. CKD pushes every row's own similarity to the top (rank 1): a trained student
shows a diagonal."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .models.distillers.distill_losses import logit_losses
from .models.distillers.recording import recording


def step_rows(distiller: nn.Module, data: dict) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
    """(student rows, teacher rows, labels or None) that the first logit loss of
    ``distiller`` gets in one training step on ``data`` (a preprocessed batch), run without
    gradients and without an optimizer step. Labels: a sampled RoI's class (background =
    ``num_classes``), or a dense positive's (matched query's) class when the rows are the
    positives."""
    losses = logit_losses(distiller)
    if not losses:
        raise ValueError(f'{type(distiller).__name__} has no logit loss (model.distill_loss '
                         'is None): there are no rows to compare')
    loss = losses[0][1]
    head = distiller.roi_head.bbox_head if hasattr(distiller, 'roi_head') else None
    # dense and DETR distillers check the teacher on the positives' labels, in row order
    with torch.no_grad(), recording(loss, 'forward') as fed, \
            recording(head if head is not None else distiller,
                      'loss_and_target' if head is not None else 'check_teacher') as targets:
        distiller(**data, mode='loss')
    student, teacher = fed['student_logits'], fed['teacher_logits']
    if head is not None:
        labels = targets['result']['bbox_targets'][0]
    elif targets['calls']:
        labels = targets['labels']
    else:
        labels = None
    if labels is not None and len(labels) != len(student):
        labels = None  # rows that are not one per labelled sample (pooled, background, top-k)
    return student.detach(), teacher.detach(), labels


def similarity(student: Tensor, teacher: Tensor) -> Tensor:
    """(N, N) cosines: row i is teacher row i against every student row."""
    return F.normalize(teacher.float(), dim=1) @ F.normalize(student.float(), dim=1).t()


def own_ranks(matrix: Tensor) -> Tensor:
    """(N,) rank of each teacher row's own student row among all student rows (1: it is
    the most similar; ties count in its favour)."""
    return (matrix > matrix.diagonal()[:, None]).sum(dim=1) + 1


def draw(matrix: Tensor, labels: Optional[Tensor], num_classes: int, out: str,
         title: str = '') -> dict:
    """Draws ``matrix`` with rows and columns grouped by label (background last) and writes
    ``out``; returns the summary in its title: rows, top-1 share (%), median rank."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    ranks = own_ranks(matrix)
    summary = dict(rows=len(matrix), top1=float((ranks == 1).float().mean() * 100),
                   median_rank=float(ranks.float().median()))
    order = torch.arange(len(matrix))
    if labels is not None:
        order = torch.sort(labels, stable=True).indices  # background (num_classes) last
        matrix = matrix[order][:, order]
    figure, axis = plt.subplots(figsize=(5.6, 5.0))
    image = axis.imshow(matrix.numpy(), cmap='RdBu_r', vmin=-1, vmax=1,
                        interpolation='nearest')
    if labels is not None:
        sorted_labels = labels[order]
        edges = (torch.nonzero(sorted_labels[1:] != sorted_labels[:-1]).flatten() + 1).tolist()
        for edge in edges:
            axis.axhline(edge - 0.5, color='k', linewidth=0.4)
            axis.axvline(edge - 0.5, color='k', linewidth=0.4)
        if (sorted_labels == num_classes).any():
            start = int((sorted_labels == num_classes).nonzero()[0])
            axis.text(start, -1.5, 'background', fontsize=7, va='bottom')
    axis.set_xlabel('student rows', fontsize=8)
    axis.set_ylabel('teacher rows' + (', grouped by label' if labels is not None else ''),
                    fontsize=8)
    axis.tick_params(labelsize=7)
    figure.colorbar(image, ax=axis, fraction=0.046, label='cosine')
    axis.set_title(f'{title}\n{summary["rows"]} rows: own row most similar for '
                   f'{summary["top1"]:.1f} %, median rank {summary["median_rank"]:g}',
                   fontsize=8)
    figure.tight_layout()
    figure.savefig(out, dpi=120)
    plt.close(figure)
    return summary
