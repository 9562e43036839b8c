# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""RoI-logit distillation for two-stage detectors: the student is the detector."""
import inspect
import re
from contextlib import contextmanager
from typing import Optional, Union

import torch
from mmdet.models.detectors import TwoStageDetector
from mmdet.models.roi_heads import StandardRoIHead
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from torch import Tensor

from ..builder import build_loss
from .frozen_teacher import FrozenTeacherMixin


@MODELS.register_module()
class TwoStageDistiller(FrozenTeacherMixin, TwoStageDetector):
    """A two-stage student detector that learns a frozen teacher's RoI classification logits.

    The student trains as usual; its RoI head's sampled RoIs (all images of the batch) are
    also given to the teacher's RoI head, on the teacher's own backbone/neck features, so
    ``distill_loss`` compares the two ``cls_score`` tensors row for row. The teacher is held
    as ``FrozenTeacherMixin`` describes: checkpoints hold plain student keys.

    Args:
        teacher_config (dict | str): Teacher model config, or a config file (``mmdet::`` paths
            included) whose ``model`` is used. Must be a two-stage detector with the same
            number of classes.
        teacher_ckpt (str, optional): Teacher checkpoint path or URL. None leaves the teacher
            with random weights (tests only; warns).
        distill_loss (dict): Any registered loss called as ``loss(student_logits,
            teacher_logits)``; a loss whose ``forward`` takes ``gt_labels`` (DKD) also gets the
            sampled RoI labels (background = ``num_classes``).
        distill_loss_name (str, optional): Key of the loss in the loss dict; defaults to
            ``loss_`` + the loss type in snake case without ``Loss`` (``loss_ckd``).
        teacher_precision (str): 'fp32', or 'fp16' / 'bf16' to run the teacher's backbone
            and neck under autocast in that type (its RoI head stays fp32: mmcv's CPU
            RoIAlign is fp32 only, and the logits should not lose precision). For GPUs with
            tensor cores; docs/performance.md says what it measured.
        teacher_channels_last (bool): Keep the teacher's convolution weights and inputs in
            channels-last memory format.
        **student: The student's own ``TwoStageDetector`` arguments (backbone, neck, rpn_head,
            roi_head, train_cfg, test_cfg, data_preprocessor, init_cfg).
    """

    def __init__(self,
                 teacher_config: Union[dict, str],
                 teacher_ckpt: Optional[str] = None,
                 distill_loss: dict = dict(type='CKDLoss', loss_weight=0.1, tau=1.0),
                 distill_loss_name: Optional[str] = None,
                 teacher_precision: str = 'fp32',
                 teacher_channels_last: bool = False,
                 **student) -> None:
        _check_two_stage('student', student)
        super().__init__(**student)
        self._init_teacher(teacher_config, teacher_ckpt, teacher_precision,
                           teacher_channels_last, check_pair=self._check_pair)
        self.distill_loss = build_loss(distill_loss, 'distill_loss')
        self.distill_loss_name = distill_loss_name or 'loss_' + _snake(
            re.sub('Loss$', '', type(self.distill_loss).__name__))
        self._loss_takes_labels = 'gt_labels' in inspect.signature(
            self.distill_loss.forward).parameters

    def loss(self, batch_inputs: Tensor, batch_data_samples: SampleList) -> dict:
        with _recording(self.roi_head.bbox_head, 'loss_and_target') as record:
            losses = super().loss(batch_inputs, batch_data_samples)
        if not record:
            raise RuntimeError(f'{type(self.roi_head).__name__} never called '
                               'bbox_head.loss_and_target(): no RoI logits to distil')
        rois = record['rois'].detach()  # the student's sampled RoIs, as its head saw them
        teacher_logits = self.teacher_logits(batch_inputs, batch_data_samples, rois)
        extra = dict(gt_labels=record['labels']) if self._loss_takes_labels else {}
        losses[self.distill_loss_name] = self.distill_loss(record['cls_score'],
                                                           teacher_logits, **extra)
        return losses

    def teacher_logits(self, batch_inputs: Tensor, batch_data_samples: SampleList,
                       rois: Tensor) -> Tensor:
        """The teacher's (num_rois, num_classes + 1) classification logits for ``rois``
        (``bbox2roi`` format), on the teacher's own features of the same images."""
        features = self.teacher_features(batch_inputs, batch_data_samples)
        with torch.no_grad():
            return self.teacher.roi_head._bbox_forward(features, rois)['cls_score']

    def _check_pair(self, teacher) -> None:
        if not isinstance(teacher, TwoStageDetector) or not teacher.with_rpn:
            raise TypeError(f'TwoStageDistiller needs a two-stage teacher (Faster/Mask R-CNN); '
                            f'teacher_config builds a {type(teacher).__name__}')
        for who, model in (('student', self), ('teacher', teacher)):
            head = model.roi_head
            if not isinstance(head, StandardRoIHead) or not head.with_bbox:
                raise TypeError(f'TwoStageDistiller supports RoI heads derived from '
                                f'StandardRoIHead with a bbox head; the {who} has '
                                f'{type(head).__name__}')
        classes = (self.roi_head.bbox_head.num_classes, teacher.roi_head.bbox_head.num_classes)
        if classes[0] != classes[1]:
            raise ValueError(f'teacher and student must classify the same classes: the '
                             f"student's roi_head.bbox_head.num_classes is {classes[0]}, the "
                             f"teacher's {classes[1]}")


@contextmanager
def _recording(module, method_name):
    """Records the arguments and the ``labels`` target of one method call of ``module``, on
    the instance (the class's method shows through again afterwards)."""
    record = {}
    method = getattr(module, method_name)

    def recorded(*args, **kwargs):
        result = method(*args, **kwargs)
        record.update(inspect.signature(method).bind(*args, **kwargs).arguments)
        record['labels'] = result['bbox_targets'][0]
        return result

    setattr(module, method_name, recorded)
    try:
        yield record
    finally:
        delattr(module, method_name)


def _snake(name):
    return re.sub(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])', '_', name).lower()


def _check_two_stage(who, model_args):
    missing = [key for key in ('rpn_head', 'roi_head') if model_args.get(key) is None]
    if missing:
        found = ', '.join(sorted(k for k in model_args if k.endswith('head'))) or 'no heads'
        raise TypeError(
            f'TwoStageDistiller needs a two-stage {who} detector (with rpn_head and roi_head, '
            f'e.g. Faster/Mask R-CNN); the {who} config has no {" or ".join(missing)} '
            f'(it has {found}). Single-stage detectors are not supported.')
