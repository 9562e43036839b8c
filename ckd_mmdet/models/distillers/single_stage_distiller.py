# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Prior-level logit (and FPN feature) distillation for single-stage (dense) detectors: the
student is the detector."""
from contextlib import nullcontext
from typing import Optional, Sequence, Union

import torch
from mmdet.models.detectors import SingleStageDetector
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmengine.dist import get_world_size
from torch import Tensor

from .dense_heads import adapter_for, prior_rows
from .distill_losses import (init_distill_losses, logit_losses, loss_selections,
                             selected_row_losses, takes)
from .frozen_teacher import FrozenTeacherMixin, teacher_head_in_fp32
from .prior_selection import PriorSelection, build_selections
from .recording import recording


@MODELS.register_module()
class SingleStageDistiller(FrozenTeacherMixin, SingleStageDetector):
    """A single-stage student detector that learns a frozen teacher's per-prior class logits.

    The student trains as usual. Its head's classification maps and the teacher's, on the
    teacher's own features of the same images, are flattened prior by prior (image, level,
    y, x, anchor) into rows, which correspond one to one because the pair shares strides,
    priors per location and classes (checked at build time and at every step). ``samples``
    selects the rows (by default the student's assigner positives), pooled over the batch,
    and ``distill_loss`` compares them. Heads: RetinaNet, ATSS, FCOS, GFL, RTMDet, and their
    subclasses that do not change what is read (``dense_heads.py``); other heads, mmdet's
    PAA, YOLOF, VFNet and TOOD among them, are refused by name. A teacher of another family
    pairs only when its ``loss_cls`` gives its scores the same meaning (see ``_check_pair``).
    The teacher is held as ``FrozenTeacherMixin`` describes.

    Args:
        teacher_config (dict | str): Teacher model config, or a config file (``mmdet::``
            paths included). A single-stage detector whose head has the student's strides,
            priors per location and classes.
        teacher_ckpt (str, optional): Teacher checkpoint path or URL (None: random teacher,
            tests only; warns).
        distill_loss (dict | list[dict], optional): Any registered loss called as
            ``loss(student_rows, teacher_rows, **weights)`` on (M, C) logits: ``CKDLoss``
            (default), ``SigmoidKDLoss`` (the KD baseline). A list: several losses side by
            side (CKD beside KD), from one teacher head forward. None: features only.
        distill_loss_name (str | list[str], optional): Key in the loss dict (``loss_ckd`` by
            default); one per loss of a list.
        samples (dict | list[dict]): The rows of the loss (a list: one dict per loss, e.g.
            centred rows for CKD and raw rows for KD; a dict: the same for every loss).
            ``PriorSelection`` options: ``mode`` ('positives', 'teacher_topk',
            'positives+teacher_topk', 'all'), ``topk``, ``background_logit``, ``weight``,
            ``center``, ``avg_factor``, ``twins``, ``background_ratio``,
            ``background_pick``. ``twins`` reads which object each positive belongs to from
            the head's ``assigner`` (not FCOS, whose assignment has none).
        distill_centerness (bool): Append FCOS/ATSS centerness as one more logit column.
        feature_distill (dict, optional): FPN feature distillation, see
            ``FeatureDistillation`` (e.g. ReviewKD's connector and HCL loss).
        teacher_precision, teacher_channels_last: As ``TwoStageDistiller``.
        teacher_check (bool): At the first training step, warn (once, in the log) when the
            teacher classifies the student's assigner positives no better than always
            answering their most frequent class, or gives non-finite logits. False silences it.
        use_syncbn (bool): Convert the student's BN layers to SyncBN in distributed runs, as
            mmdet's ``RTMDet`` detector does.
        **student: The student's ``SingleStageDetector`` arguments (backbone, neck,
            bbox_head, train_cfg, test_cfg, data_preprocessor, init_cfg).
    """

    def __init__(self,
                 teacher_config: Union[dict, str],
                 teacher_ckpt: Optional[str] = None,
                 distill_loss: Optional[dict] = dict(type='CKDLoss', loss_weight=1.0,
                                                     tau=1.0),
                 distill_loss_name: Optional[str] = None,
                 samples: Union[dict, Sequence[dict]] = dict(mode='positives',
                                                             center=True),
                 distill_centerness: bool = False,
                 feature_distill: Optional[dict] = None,
                 teacher_precision: str = 'fp32',
                 teacher_channels_last: bool = False,
                 use_syncbn: bool = False,
                 teacher_check: bool = True,
                 **student) -> None:
        _check_single_stage(student)
        super().__init__(**student)
        self.adapter = adapter_for(self.bbox_head, 'student')
        self._init_teacher(teacher_config, teacher_ckpt, teacher_precision,
                           teacher_channels_last, check_pair=self._check_pair,
                           teacher_check=teacher_check)
        self.teacher_adapter = adapter_for(self.teacher.bbox_head, 'teacher')
        init_distill_losses(self, distill_loss, distill_loss_name, feature_distill,
                            'prior logits')
        for who, adapter, head in (('student', self.adapter, self.bbox_head),
                                   ('teacher', self.teacher_adapter, self.teacher.bbox_head)):
            if distill_centerness and adapter.centerness_index is None:
                raise ValueError(f"distill_centerness=True, but the {who}'s "
                                 f'{type(head).__name__} has no centerness branch (FCOS and '
                                 'ATSS have one)')
        if distill_centerness and self.bbox_head.num_base_priors != 1:
            raise ValueError('distill_centerness needs one prior per location, the head has '
                             f'{self.bbox_head.num_base_priors}')
        self.distill_centerness = bool(distill_centerness)
        self.samples = build_selections(samples, len(logit_losses(self)),
                                        self.bbox_head.num_classes)
        for (name, loss), selection in zip(logit_losses(self), loss_selections(self)):
            self._check_twins(selection, loss)
        if use_syncbn and get_world_size() > 1:
            torch.nn.SyncBatchNorm.convert_sync_batchnorm(self)

    def loss(self, batch_inputs: Tensor, batch_data_samples: SampleList) -> dict:
        selections = loss_selections(self)
        needs_objects = any(selection.needs_objects for selection in selections)
        with recording(self, 'extract_feat') as features, \
                recording(self.bbox_head, 'forward') as outputs, \
                recording(self.bbox_head, 'get_targets') as targets, \
                (recording(self.bbox_head.assigner, 'assign') if needs_objects
                 else nullcontext()) as assignments:
            losses = super().loss(batch_inputs, batch_data_samples)
        teacher_features = self.teacher_features(batch_inputs, batch_data_samples)
        if self.distill_loss is not None:
            student_rows, teacher_rows = self.prior_logits(outputs['result'], teacher_features)
            labels = None
            if targets['calls']:
                priors = [maps.shape[-2] * maps.shape[-1] * self.bbox_head.num_base_priors
                          for maps in outputs['result'][0]]
                labels = self.adapter.labels(targets['result'], len(batch_data_samples),
                                             priors, type(self.bbox_head).__name__)
            elif any(selection.needs_labels for selection in selections):
                raise RuntimeError(f'{type(self.bbox_head).__name__}.loss_by_feat never '
                                   'called get_targets(): no assigner positives to select')
            objects = assigned_objects(assignments['calls'], labels, selections[0].positives(
                labels), type(self.bbox_head).__name__) if needs_objects else None
            losses.update(selected_row_losses(self, student_rows, teacher_rows, labels,
                                              objects, 'assigner positives'))
        if self.feature_distill is not None:
            losses.update(self.feature_distill(features['result'], teacher_features))
        return losses

    def prior_logits(self, student_outputs: tuple, teacher_features) -> tuple:
        """(B, priors, C) rows of the student's head outputs and of the teacher's head on
        ``teacher_features`` (fp32, autocast or not), prior by prior; raises if their maps
        do not line up."""
        student_maps = self.adapter.score_maps(student_outputs, self.distill_centerness)
        with teacher_head_in_fp32(student_maps[0].device.type):
            teacher_maps = self.teacher_adapter.score_maps(
                self.teacher.bbox_head(teacher_features), self.distill_centerness)
        shapes = [(tuple(s.shape), tuple(t.shape)) for s, t in zip(student_maps, teacher_maps)]
        if len(student_maps) != len(teacher_maps) or any(s != t for s, t in shapes):
            raise ValueError(
                'SingleStageDistiller: the teacher and student classification maps do not line '
                'up prior by prior (level: student vs teacher (B, priors x columns, H, W)): '
                + '; '.join(f'{i}: {s} vs {t}' for i, (s, t) in enumerate(shapes) if s != t)
                + f' ({len(student_maps)} vs {len(teacher_maps)} levels). They need the same '
                'strides, priors per location and classes, and the same input images.')
        columns = student_maps[0].shape[1] // self.bbox_head.num_base_priors
        return prior_rows(student_maps, columns), prior_rows(teacher_maps, columns)

    def _check_twins(self, selection: PriorSelection, loss) -> None:
        if selection.twins is None:
            return
        head = type(self.bbox_head).__name__
        if not selection.needs_labels:
            raise ValueError(f'samples.twins={selection.twins!r} needs the assigner '
                             f"positives: set samples.mode to 'positives'")
        if getattr(self.bbox_head, 'assigner', None) is None:
            raise ValueError(f'samples.twins={selection.twins!r} reads which object each '
                             f"positive belongs to from bbox_head.assigner; the student's "
                             f'{head} has none (FCOS assigns inside get_targets). '
                             'Leave samples.twins unset for this head.')
        if selection.twins == 'not_negatives' and not takes(loss, 'groups'):
            raise ValueError(f"samples.twins='not_negatives' needs a distill_loss that takes "
                             f'groups (CKDLoss); {type(loss).__name__} does not')

    def _check_pair(self, teacher) -> None:
        if not isinstance(teacher, SingleStageDetector):
            raise TypeError(f'SingleStageDistiller needs a single-stage teacher (RetinaNet, '
                            f'ATSS, FCOS, GFL, RTMDet); teacher_config builds a '
                            f'{type(teacher).__name__}')
        student, other = self.bbox_head, teacher.bbox_head
        # Rows are compared column by column, so the scores must mean the same: a class
        # probability (FocalLoss: RetinaNet, ATSS, FCOS) is not a class x IoU quality
        # (QualityFocalLoss: GFL, RTMDet), though both are sigmoid logits of the same shape.
        meanings = [type(head.loss_cls).__name__ for head in (student, other)]
        if meanings[0] != meanings[1]:
            raise ValueError(
                f"teacher and student class scores mean different things: the student's "
                f'{type(student).__name__} trains them with bbox_head.loss_cls '
                f"{meanings[0]}, the teacher's {type(other).__name__} with {meanings[1]}. "
                'Pair heads whose scores are trained by the same loss: the same family, or '
                'RetinaNet/ATSS/FCOS among themselves (FocalLoss), GFL/RTMDet (QualityFocalLoss)'
                ', when priors and strides also correspond.')
        facts = {
            'bbox_head.num_classes': lambda h: h.num_classes,
            'bbox_head.cls_out_channels (sigmoid or softmax scores)':
                lambda h: h.cls_out_channels,
            'priors per location (bbox_head.num_base_priors: anchor ratios x scales)':
                lambda h: h.num_base_priors,
            'strides (bbox_head.prior_generator.strides)':
                lambda h: [tuple(s) for s in h.prior_generator.strides],
        }
        for name, fact in facts.items():
            if fact(student) != fact(other):
                raise ValueError(f'teacher and student priors do not correspond one to one: '
                                 f"the student's {name} is {fact(student)}, the teacher's "
                                 f'{fact(other)}. Use a teacher with the same value.')


def assigned_objects(calls: list, labels: Tensor, positives: Tensor,
                     head_name: str) -> Tensor:
    """(B, priors): for each positive prior the batch-wide index of the ground-truth box
    its image's ``assigner.assign`` call gave it (``gt_inds``, 1-based, 0 = background),
    -1 elsewhere. The assigner must have seen every prior (``allowed_border=-1``) and agree
    with ``labels`` on which priors are positives."""
    if len(calls) != labels.shape[0]:
        raise RuntimeError(f'SingleStageDistiller: {head_name}.assigner.assign() ran '
                           f'{len(calls)} times for {labels.shape[0]} images')
    objects, first = [], 0
    for call in calls:
        gt_inds = call['result'].gt_inds
        if gt_inds.numel() != labels.shape[1]:
            raise RuntimeError(
                f'SingleStageDistiller: {head_name}.assigner.assign() saw {gt_inds.numel()} '
                f'of {labels.shape[1]} priors (anchors outside the image left out): set '
                'model.train_cfg.allowed_border=-1 to use samples.twins')
        objects.append(torch.where(gt_inds > 0, gt_inds - 1 + first, -1))
        first += call['result'].num_gts
    objects = torch.stack(objects)
    if not torch.equal(objects >= 0, positives):
        raise RuntimeError(f'SingleStageDistiller: {head_name}.assigner.assign() and '
                           'get_targets() disagree on which priors are positives')
    return objects


def _check_single_stage(model_args):
    if model_args.get('bbox_head') is None or model_args.get('roi_head') is not None:
        found = ', '.join(sorted(k for k in model_args if k.endswith('head'))) or 'no heads'
        raise TypeError(
            'SingleStageDistiller needs a single-stage student (with bbox_head, e.g. '
            f'RetinaNet, FCOS, ATSS, GFL, RTMDet); the student config has {found}. '
            'Two-stage detectors use TwoStageDistiller.')
