# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""A DETR student's boxes regress its teacher's on the same decoder queries."""
from typing import Dict, Optional

import torch
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_overlaps
from torch import Tensor, nn

from ..builder import build_loss
from .prior_selection import build_selections

KEYS = ('loss_bbox', 'loss_iou', 'samples')


class BoxDistillation(nn.Module):
    """Box losses between the student's and the teacher's boxes (normalised cx, cy, w, h) of
    the queries both decoders answered from the same starting boxes. The defaults are
    KD-DETR's (Myleswork/KD-DETR ``models/DAB_DETR/kd_loss.py``, ``loss_boxes``): L1 x 5,
    averaged over the four coordinates, and GIoU x 2, on every distillation point, each
    weighted by the teacher's highest class probability and divided by the weights' sum.

    Args:
        loss_bbox (dict, optional): A registered regression loss on the (M, 4) boxes
            (``L1Loss``, ``SmoothL1Loss``, ...); its ``avg_factor`` is 4 x the rows (or the
            weights' sum), so it is the mean over the coordinates. None: no such term.
        loss_iou (dict, optional): A registered IoU loss on the (M, 4) x1, y1, x2, y2 boxes
            (``GIoULoss``, ``IoULoss``, ...). None: no such term.
        samples (dict): Which queries, as a distiller's ``samples`` (``PriorSelection``):
            ``mode``, ``topk``, ``weight``, ``avg_factor``, ``background_ratio``,
            ``background_pick``; ``center`` and ``background_logit`` shape logit rows and do
            not apply here.
        num_classes (int): The class columns of the teacher's rows.
    """

    def __init__(self, loss_bbox: Optional[dict] = dict(type='L1Loss', loss_weight=5.0),
                 loss_iou: Optional[dict] = dict(type='GIoULoss', loss_weight=2.0),
                 samples: dict = dict(mode='all', weight='teacher_confidence'), *,
                 num_classes: int) -> None:
        super().__init__()
        if loss_bbox is None and loss_iou is None:
            raise ValueError('box_distill distils nothing: give loss_bbox, loss_iou or both '
                             '(or leave box_distill unset)')
        if not isinstance(samples, dict):
            raise ValueError(f'box_distill.samples must be one dict, got {samples!r}')
        self.loss_bbox = None if loss_bbox is None else build_loss(loss_bbox,
                                                                   'box_distill.loss_bbox')
        self.loss_iou = None if loss_iou is None else build_loss(loss_iou, 'box_distill.loss_iou')
        self.samples = build_selections(samples, 1, num_classes)
        if self.samples.twins is not None:
            raise ValueError('box_distill.samples.twins: the Hungarian matching gives each '
                             'object one query, so there are no twins; leave it unset')

    @classmethod
    def from_config(cls, config: dict, num_classes: int) -> 'BoxDistillation':
        unknown = set(config) - set(KEYS)
        if unknown:
            raise ValueError(f'box_distill: unknown keys {sorted(unknown)}; it takes '
                             f'{", ".join(KEYS)}')
        return cls(**config, num_classes=num_classes)

    def forward(self, student_boxes: Tensor, teacher_boxes: Tensor, teacher_rows: Tensor,
                labels: Tensor, scalars: bool = True) -> Dict[str, Tensor]:
        """(B, Q, 4) boxes of both on the same queries, the teacher's (B, Q, C) class logits
        and the (B, Q) labels of the student's matching (``num_classes``: unmatched) → the
        box losses on the selected queries; with ``scalars``, ``box_iou``: the mean IoU of
        the two models' boxes there (what the losses pull towards 1)."""
        mask = self.samples.mask(teacher_rows, labels)
        student = student_boxes[mask].float()
        teacher = teacher_boxes[mask].detach().float()
        keywords = self.samples.loss_weights(teacher_rows[mask], labels)
        weight = keywords.get('weight')
        rows = keywords.get('avg_factor', mask.sum().clamp(min=1).float())
        corners = bbox_cxcywh_to_xyxy(student), bbox_cxcywh_to_xyxy(teacher)
        losses = {}
        if self.loss_bbox is not None:  # a mean over the coordinates, as KD-DETR's x 5 expects
            losses['loss_distill_bbox'] = self.loss_bbox(
                student, teacher, weight=None if weight is None else weight[:, None],
                avg_factor=rows * 4)
        if self.loss_iou is not None:
            losses['loss_distill_iou'] = self.loss_iou(*corners, weight=weight,
                                                       avg_factor=rows)
        if scalars:
            with torch.no_grad():
                overlaps = bbox_overlaps(*corners, is_aligned=True)
            losses['box_iou'] = overlaps.mean() if len(overlaps) else overlaps.new_tensor(0.)
        return losses
