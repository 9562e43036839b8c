# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""What a distillation run shows of how well teacher and student line up, in the loss dict
beside the losses (their keys hold no 'loss', so MMEngine logs them and sums none of them):
``teacher_acc``, ``<loss>_top1`` for each ``CKDLoss`` (``ckd_top1``) and ``distill_rows``;
and the one-time warning when the teacher is no better than a trivial rule."""
import logging
import re
from typing import Dict, Optional, Sequence, Tuple

import torch
from mmengine.logging import print_log
from torch import Tensor, nn

from .teacher_inputs import normalisation


def teacher_accuracy(logits: Tensor, labels: Tensor) -> Optional[Tensor]:
    """Top-1 accuracy (%, as mmdet's ``acc``) of (N, K) teacher logits on (N,) labels in
    [0, K); None without rows."""
    if labels.numel() == 0:
        return None
    return (logits.detach().argmax(dim=1) == labels).float().mean() * 100


def majority_share(labels: Tensor) -> Tensor:
    """The accuracy (%) of always answering the most frequent of ``labels`` (N > 0)."""
    return torch.bincount(labels.flatten()).max().float() / labels.numel() * 100


def scalar_key(loss_key: str, what: str) -> str:
    """``loss_ckd`` -> ``ckd_<what>``: no 'loss' left in it, so it is not summed into the
    loss."""
    return (re.sub('_*loss_*', '_', loss_key).strip('_') or 'ckd') + '_' + what


def top1_key(loss_key: str) -> str:
    """``loss_ckd`` -> ``ckd_top1``."""
    return scalar_key(loss_key, 'top1')


def alignment_scalars(logit_losses: Sequence[Tuple[str, nn.Module]], rows: Sequence[int],
                      accuracy: Optional[Tensor], device) -> Dict[str, Tensor]:
    """The scalars for the loss dict, after the logit losses ran: ``rows`` is each loss's row
    count (``distill_rows``; ``<loss>_rows`` per loss when they differ)."""
    scalars = {} if accuracy is None else {'teacher_acc': accuracy}
    if len(set(rows)) <= 1:
        scalars['distill_rows'] = torch.tensor(float(rows[0] if rows else 0), device=device)
    else:
        for (key, _), count in zip(logit_losses, rows):
            scalars[scalar_key(key, 'rows')] = torch.tensor(float(count), device=device)
    for key, loss in logit_losses:
        if getattr(loss, 'top1', None) is not None:  # CKDLoss's, of this call
            scalars[top1_key(key)] = loss.top1
    return scalars


class TeacherCheck:
    """Warns once, at the first training step whose rows can tell, when the teacher's
    accuracy on the distilled rows is no better than always answering their most frequent
    label, or its logits are not finite. Training goes on."""

    def __init__(self, distiller: str, enabled: bool = True) -> None:
        self.distiller = distiller
        self.pending = bool(enabled)

    def __call__(self, teacher, teacher_ckpt: Optional[str], logits: Tensor,
                 labels: Tensor, rows: str) -> None:
        if not self.pending or labels.numel() == 0:
            return
        finite = bool(torch.isfinite(logits).all())
        if finite and labels.unique().numel() < 2:
            return  # one label only: a perfect teacher ties the trivial rule; wait
        self.pending = False
        if finite:
            accuracy, trivial = teacher_accuracy(logits, labels), majority_share(labels)
            if accuracy > trivial:
                return
            found = (f'the teacher classifies {accuracy:.1f} % of the {labels.numel()} '
                     f'{rows} right, no better than always answering their most frequent '
                     f'label ({trivial:.1f} %)')
        else:
            found = f'the teacher gives non-finite logits on the {rows}'
        print_log(self.message(found, teacher, teacher_ckpt), logger='current',
                  level=logging.WARNING)

    def message(self, found: str, teacher, teacher_ckpt: Optional[str]) -> str:
        mean, std, bgr_to_rgb = normalisation(teacher.data_preprocessor)
        settings = (f'mean={[round(v, 3) for v in mean]}, std={[round(v, 3) for v in std]}, '
                    f'bgr_to_rgb={bgr_to_rgb}')
        return (
            f'{self.distiller}: at the first training step {found}, so distillation would '
            'teach the student nothing useful. Likely causes, most common first: (1) '
            f'model.teacher_ckpt ({teacher_ckpt!r}) holds another model, one trained with '
            'another config than model.teacher_config, or none that converged; (2) its '
            'classes are in another order than the dataset (checked before training when the '
            "checkpoint's meta holds dataset_meta.classes); (3) the "
            "teacher config's data_preprocessor normalises otherwise than the teacher was "
            f'trained ({settings}); (4) the images are at another scale than the '
            "teacher's training pipeline. Training goes on; set model.teacher_check=False "
            'to silence this check.')
