# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""RoI-logit (and FPN feature) distillation for two-stage detectors: the student is the
detector."""
from typing import List, Optional, Sequence, Union

import torch

from mmdet.models.detectors import TwoStageDetector
from mmdet.models.roi_heads import StandardRoIHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from torch import Tensor

from .alignment import alignment_scalars, teacher_accuracy
from .distill_losses import init_distill_losses, logit_losses, takes
from .frozen_teacher import FrozenTeacherMixin, teacher_head_in_fp32
from .recording import recording


@MODELS.register_module()
class TwoStageDistiller(FrozenTeacherMixin, TwoStageDetector):
    """A two-stage student detector that learns a frozen teacher's RoI classification logits.

    The student trains as usual; its RoI head's sampled RoIs (all images of the batch) are
    also given to the teacher's RoI head, on the teacher's own backbone/neck features, so
    ``distill_loss`` compares the two ``cls_score`` tensors row for row. With
    ``feature_distill``, the student's neck levels (through a trainable connector) also learn
    the teacher's, from the same teacher forward. The teacher is held as
    ``FrozenTeacherMixin`` describes: checkpoints hold student keys (and the connector's).

    Args:
        teacher_config (dict | str): Teacher model config, or a config file (``mmdet::`` paths
            included) whose ``model`` is used. Must be a two-stage detector with the same
            number of classes.
        teacher_ckpt (str, optional): Teacher checkpoint path or URL. None leaves the teacher
            with random weights (tests only; warns).
        distill_loss (dict | list[dict], optional): Any registered loss called as
            ``loss(student_logits, teacher_logits)``; a loss whose ``forward`` takes
            ``gt_labels`` (DKD) also gets the sampled RoI labels (background =
            ``num_classes``). A list: several losses on the same rows, side by side (CKD
            beside KD). None: no logit distillation (then ``feature_distill`` is needed), and
            no teacher RoI head forward.
        distill_loss_name (str | list[str], optional): Key of the loss in the loss dict (one
            per loss of a list); defaults to ``loss_`` + the loss type in snake case without
            ``Loss`` (``loss_ckd``).
        feature_distill (dict, optional): ``dict(loss=..., connector=..., loss_name=...)``,
            see ``FeatureDistillation``: e.g. ReviewKD's
            ``dict(connector=dict(type='ReviewKDConnector'), loss=dict(type='HCLLoss'))``.
        teacher_precision (str): 'fp32', or 'fp16' / 'bf16' to run the teacher's backbone
            and neck under autocast in that type (its RoI head stays fp32: mmcv's CPU
            RoIAlign is fp32 only, and the logits should not lose precision). For GPUs with
            tensor cores; docs/performance.md says what it measured.
        teacher_channels_last (bool): Keep the teacher's convolution weights and inputs in
            channels-last memory format.
        twins (str): 'negatives' (the paper): every other RoI is a negative of a RoI, also
            the RoIs of the same object. 'not_negatives': positive RoIs assigned to the
            same ground-truth box (the box itself and its overlapping proposals) are left
            out of each other's negatives, so no row must tell itself apart from its own
            object's near-copies. Given to the losses that take ``groups`` (``CKDLoss``);
            one must.
        teacher_check (bool): At the first training step, warn (once, in the log) when the
            teacher classifies the sampled RoIs no better than always answering their most
            frequent label, or gives non-finite logits: the signs of a checkpoint, class order,
            normalisation or scale that does not belong to the config. False silences it.
        **student: The student's own ``TwoStageDetector`` arguments (backbone, neck, rpn_head,
            roi_head, train_cfg, test_cfg, data_preprocessor, init_cfg).
    """

    def __init__(self,
                 teacher_config: Union[dict, str],
                 teacher_ckpt: Optional[str] = None,
                 distill_loss: Union[dict, Sequence[dict], None] = dict(
                     type='CKDLoss', loss_weight=0.1, tau=1.0),
                 distill_loss_name: Union[str, Sequence[str], None] = None,
                 feature_distill: Optional[dict] = None,
                 teacher_precision: str = 'fp32',
                 teacher_channels_last: bool = False,
                 twins: str = 'negatives',
                 teacher_check: bool = True,
                 **student) -> None:
        _check_two_stage('student', student)
        super().__init__(**student)
        self._init_teacher(teacher_config, teacher_ckpt, teacher_precision,
                           teacher_channels_last, check_pair=self._check_pair,
                           teacher_check=teacher_check)
        init_distill_losses(self, distill_loss, distill_loss_name, feature_distill, 'RoI logits')
        if twins not in ('negatives', 'not_negatives'):
            raise ValueError(f"TwoStageDistiller: twins must be 'negatives' or "
                             f"'not_negatives', got {twins!r}")
        if twins == 'not_negatives' and not any(
                takes(loss, 'groups') for _, loss in logit_losses(self)):
            names = ', '.join(type(loss).__name__ for _, loss in logit_losses(self))
            raise ValueError(f"TwoStageDistiller: twins='not_negatives' needs a distill_loss "
                             f"that takes groups (CKDLoss); {names or 'no loss'} does not. Set "
                             "model.twins='negatives' or use CKDLoss.")
        self.twins = twins
        # what each loss is given besides the logits, decided once, by its signature
        self._loss_arguments = [{key for key in ('gt_labels', 'groups') if takes(loss, key)}
                                for _, loss in logit_losses(self)]

    def loss(self, batch_inputs: Tensor, batch_data_samples: SampleList) -> dict:
        with recording(self, 'extract_feat') as features, \
                recording(self.roi_head.bbox_head, 'loss_and_target') as rois:
            losses = super().loss(batch_inputs, batch_data_samples)
        teacher_features = self.teacher_features(batch_inputs, batch_data_samples)
        if self.distill_loss is not None:
            if not rois['calls']:
                raise RuntimeError(f'{type(self.roi_head).__name__} never called '
                                   'bbox_head.loss_and_target(): no RoI logits to distil')
            # the student's sampled RoIs, as its head saw them
            teacher_logits = self.teacher_logits(teacher_features, rois['rois'].detach())
            labels = rois['result']['bbox_targets'][0]  # background: num_classes
            self.check_teacher(teacher_logits, labels, 'sampled RoIs')
            given = dict(gt_labels=labels)
            if self.twins == 'not_negatives':
                given['groups'] = object_groups(rois['sampling_results'])
            for (name, loss), arguments in zip(logit_losses(self), self._loss_arguments):
                losses[name] = loss(rois['cls_score'], teacher_logits, **{
                    key: value for key, value in given.items() if key in arguments})
            losses.update(alignment_scalars(
                logit_losses(self), [len(labels)], teacher_accuracy(teacher_logits, labels),
                labels.device))
        if self.feature_distill is not None:
            losses.update(self.feature_distill(features['result'], teacher_features))
        return losses

    def teacher_logits(self, teacher_features, rois: Tensor) -> Tensor:
        """The teacher's (num_rois, num_classes + 1) fp32 classification logits for ``rois``
        (``bbox2roi`` format), on the teacher's features (``teacher_features()``), autocast
        or not."""
        with teacher_head_in_fp32(rois.device.type):
            return self.teacher.roi_head._bbox_forward(teacher_features, rois)['cls_score']

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


def object_groups(sampling_results: List[SamplingResult]) -> torch.Tensor:
    """The group of each sampled RoI, in the rows' order (image by image: its positives,
    then its negatives, as ``bbox2roi`` and the head's targets put them): a positive's group
    is the ground-truth box it is assigned to (numbered across the batch); each negative is
    a group of its own."""
    objects = sum(result.num_gts for result in sampling_results)
    groups, first_object, next_single = [], 0, objects
    for result in sampling_results:
        negatives = len(result.neg_inds)
        groups += [result.pos_assigned_gt_inds.long() + first_object,
                   torch.arange(next_single, next_single + negatives,
                                device=result.pos_assigned_gt_inds.device)]
        first_object += result.num_gts
        next_single += negatives
    return torch.cat(groups)


def _check_two_stage(who, model_args):
    missing = [key for key in ('rpn_head', 'roi_head') if model_args.get(key) is None]
    if missing:
        found = ', '.join(sorted(k for k in model_args if k.endswith('head'))) or 'no heads'
        raise TypeError(
            f'TwoStageDistiller needs a two-stage {who} detector (with rpn_head and roi_head, '
            f'e.g. Faster/Mask R-CNN); the {who} config has no {" or ".join(missing)} '
            f'(it has {found}). Single-stage detectors are not supported.')
