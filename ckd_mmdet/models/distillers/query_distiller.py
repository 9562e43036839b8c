# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Query-level logit (and neck or encoder feature) distillation for DETR-family students: a
row is (image, decoder query), and the teacher's decoder answers the student's own queries."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmdet.models.detectors import DINO, DeformableDETR
from mmdet.models.layers.transformer import inverse_sigmoid
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from torch import Tensor

from .box_distillation import BoxDistillation
from .distill_losses import (init_distill_losses, logit_losses, loss_selections,
                             selected_row_losses)
from .feature_distillation import neck_channels
from .frozen_teacher import FrozenTeacherMixin, teacher_head_in_fp32
from .prior_selection import build_selections
from .recording import recording


class QueryDistiller(FrozenTeacherMixin):
    """A DETR-family student (listed after this class: ``DINO``, ``DeformableDETR``) that
    learns a frozen teacher's class logits query by query.

    A DETR's queries have no fixed grid, so the two models' queries do not correspond by
    themselves. After KD-DETR's "consistent distillation points" (Wang et al., CVPR 2024:
    extra points fed to both decoders), the points here are the student's own queries: the
    teacher answers them: at every step it runs its own backbone, neck and
    encoder on the (re-normalised) images, then its decoder from the student's initial
    reference boxes (the encoder proposals the student's decoder starts from: normalised
    cx, cy, w, h, no denoising queries), so each decoder refines from the same boxes and the
    teacher's query ``i`` is the counterpart of the student's. The teacher's own queries for
    those boxes: a DINO's first content queries; a two-stage Deformable DETR's, made from the
    boxes as its ``pre_decoder`` makes them from its proposals. The rows are the last decoder
    layer's sigmoid class logits (``num_classes`` columns). ``samples`` selects them as for
    dense heads (``PriorSelection``); the positives are the queries the student's Hungarian
    matcher gave an object (one per object), read from its own loss, not matched twice. The
    teacher is held as ``FrozenTeacherMixin`` describes.

    Pairs: student and teacher two-stage (``as_two_stage=True``: DINO always) DINO or
    Deformable DETR, any backbone, neck and depth, with the same classes and class loss; a
    DINO teacher needs at least the student's ``num_queries`` content queries (its first are
    used). The single-stage Deformable DETR (learned per-index 2-D reference points) and the
    other DETRs are refused.

    Args:
        teacher_config (dict | str): Teacher model config or config file (``mmdet::`` paths
            included): a DINO or a two-stage Deformable DETR.
        teacher_ckpt (str, optional): Teacher checkpoint (None: random teacher, tests only).
        distill_loss (dict | list[dict], optional): Any registered loss called as
            ``loss(student_rows, teacher_rows, **weights)`` on (M, C) logits: ``CKDLoss``
            (default), ``SigmoidKDLoss`` (the KD baseline); a list for several side by side.
            None: features only.
        distill_loss_name (str | list[str], optional): Keys in the loss dict.
        samples (dict | list[dict]): ``PriorSelection`` options, one dict per loss or one for
            all: ``mode`` 'positives' (the matched queries, the default), 'teacher_topk',
            'positives+teacher_topk' or 'all'; ``weight='teacher_confidence'`` (KD-DETR's
            weighting of every query), ``center``, ``background_ratio`` and the rest; not
            ``twins``, which a one-to-one matching never has.
        feature_distill (dict, optional): Feature distillation (``FeatureDistillation``) of
            the levels ``feature_source`` names.
        feature_source (str): 'neck': the two necks' levels (the encoders' inputs);
            'encoder': the two encoders' outputs (``memory``), level by level as
            (B, embed_dims, H, W) maps, padded positions zeroed in both.
        teacher_precision, teacher_channels_last, teacher_check: As ``SingleStageDistiller``.
        general_points (int): KD-DETR's "general" distillation points: this many random boxes
            per step (each of cx, cy, w, h the sigmoid of a standard normal draw, the same for
            every image of the batch) that both decoders also answer, in a pass of their own
            (the student's with its own queries for them, as the teacher's). Their rows follow
            the matching queries' as unmatched rows: mode 'all', 'teacher_topk' and
            ``background_ratio`` take them, 'positives' alone never (refused). 0: none.
        decoder_layers (str): 'last': the last decoder layer's rows; 'all': every layer's,
            each against the teacher's same layer (the decoders must be as deep);
            'all_to_last': every layer's against the teacher's last layer (KD-DETR's
            targets; any depths). Each layer's rows follow the student's matching of that
            layer, the other layers' losses are named ``d0.loss_ckd`` ... as mmdet names
            DETRs' auxiliary losses (the scalars are the last layer's).
        box_distill (dict, optional): The student's boxes also regress the teacher's on the
            same queries (``BoxDistillation``: ``loss_bbox``, ``loss_iou``, ``samples``;
            ``dict()``: KD-DETR's L1 x 5 + GIoU x 2 on every query weighted by the teacher's
            confidence), logged as ``loss_distill_bbox``, ``loss_distill_iou`` and
            ``box_iou``. None: class logits only.
        **student: The student detector's arguments (``DINO``, ``DeformableDETR``).
    """

    def __init__(self,
                 teacher_config: Union[dict, str],
                 teacher_ckpt: Optional[str] = None,
                 distill_loss: Optional[dict] = dict(type='CKDLoss', loss_weight=1.0,
                                                     tau=1.0),
                 distill_loss_name: Optional[str] = None,
                 samples: Union[dict, Sequence[dict]] = dict(mode='positives', center=True),
                 feature_distill: Optional[dict] = None,
                 teacher_precision: str = 'fp32',
                 teacher_channels_last: bool = False,
                 teacher_check: bool = True,
                 decoder_layers: str = 'last',
                 general_points: int = 0,
                 box_distill: Optional[dict] = None,
                 feature_source: str = 'neck',
                 **student) -> None:
        super().__init__(**student)
        if decoder_layers not in ('last', 'all', 'all_to_last'):
            raise ValueError("decoder_layers must be 'last', 'all' or 'all_to_last', got "
                             f'{decoder_layers!r}')
        self.decoder_layers = decoder_layers
        if not (isinstance(general_points, int) and general_points >= 0):
            raise ValueError(f'general_points must be an int >= 0, got {general_points!r}')
        self.general_points = general_points
        if feature_source not in FEATURE_CHANNELS:
            raise ValueError(f"feature_source must be 'neck' or 'encoder', got "
                             f'{feature_source!r}')
        if feature_source == 'encoder' and feature_distill is None:
            raise ValueError("feature_source='encoder' names what feature_distill compares; "
                             'give feature_distill (e.g. dict(loss=dict(type=...)))')
        self.feature_source = feature_source
        check_content_queries(self, 'student', general_points)
        if not self.as_two_stage:
            raise ValueError(f'{type(self).__name__} needs a two-stage student '
                             '(as_two_stage=True): its decoder starts from boxes the teacher '
                             "can take; a single-stage Deformable DETR's learned 2-D reference "
                             'points are its own')
        self._init_teacher(teacher_config, teacher_ckpt, teacher_precision,
                           teacher_channels_last, check_pair=self._check_pair,
                           teacher_check=teacher_check)
        init_distill_losses(self, distill_loss, distill_loss_name, feature_distill,
                            'query logits', box_distill is not None, feature_source,
                            FEATURE_CHANNELS[feature_source])
        self.box_distill = None if box_distill is None else BoxDistillation.from_config(
            box_distill, self.bbox_head.num_classes)
        self.samples = build_selections(samples, len(logit_losses(self)),
                                        self.bbox_head.num_classes)
        if any(selection.twins is not None for selection in loss_selections(self)):
            raise ValueError('samples.twins: the Hungarian matching gives each object one '
                             'query, so there are no twins to tell apart; leave it unset')
        row_selections = loss_selections(self) + (
            [] if self.box_distill is None else [self.box_distill.samples])
        if general_points and all(selection.mode == 'positives' and
                                  selection.background_ratio is None
                                  for selection in row_selections):
            raise ValueError(f"general_points={general_points}: samples.mode 'positives' "
                             'takes only matched queries, never a general point; use mode '
                             "'all' (KD-DETR), 'teacher_topk' or background_ratio")

    def loss(self, batch_inputs: Tensor, batch_data_samples: SampleList) -> dict:
        with recording(self, 'extract_feat') as features, \
                recording(self, 'forward_encoder') as encoder, \
                recording(self, 'forward_decoder') as decoder, \
                recording(self.bbox_head, 'forward') as outputs, \
                recording(self.bbox_head, 'get_targets') as targets:
            losses = super().loss(batch_inputs, batch_data_samples)
        teacher_features = self.teacher_features(batch_inputs, batch_data_samples)
        if self.needs_teacher_encoder:
            teacher_encoded = self.teacher_encoder(teacher_features, batch_data_samples)
        if self.distils_queries:
            # The matching queries come after DINO's denoising ones (Deformable DETR: none).
            positions = decoder['reference_points'][:, -self.num_queries:]
            point_sets = [positions]
            if self.general_points:
                point_sets.append(general_boxes(self.general_points, positions))
                general = self.decoder_outputs(self, decoder, point_sets[1])
            teacher_layers = self.teacher_outputs(teacher_encoded, point_sets)
            # (layers, B, Q, C) class logits and (layers, B, Q, 4) boxes of the head
            student_layers = [part[:, :, -self.num_queries:] for part in outputs['result']]
            last = len(student_layers[0]) - 1
            for layer in ([last] if self.decoder_layers == 'last' else range(last + 1)):
                # each layer's rows, matched by the student's own matching of that layer; the
                # teacher check and the scalars are the last layer's
                answer = layer - last - 1 if self.decoder_layers == 'all' else -1
                student_rows, student_boxes = (part[layer] for part in student_layers)
                teacher_rows, teacher_boxes = (part[answer] for part in teacher_layers)
                labels = matched_labels(targets['calls'], student_rows)
                if self.general_points:  # unmatched rows after the matching queries
                    student_rows, student_boxes = (torch.cat([mine, part[layer]], 1)
                                                   for mine, part in zip(
                                                       (student_rows, student_boxes), general))
                    labels = F.pad(labels, (0, self.general_points),
                                   value=self.bbox_head.num_classes)
                found = {}
                if self.distill_loss is not None:
                    found.update(selected_row_losses(
                        self, student_rows, teacher_rows, labels, None, 'matched queries',
                        scalars=layer == last))
                if self.box_distill is not None:
                    found.update(self.box_distill(student_boxes, teacher_boxes, teacher_rows,
                                                  labels, scalars=layer == last))
                if layer != last:  # as mmdet names DETRs' auxiliary losses: d0.loss_cls
                    found = {f'd{layer}.{key}': value for key, value in found.items()}
                losses.update(found)
        if self.feature_distill is not None:
            levels = ((features['result'], teacher_features) if self.feature_source == 'neck'
                      else (encoder_maps(encoder['result'], features['result']),
                            encoder_maps(teacher_encoded, teacher_features)))
            losses.update(self.feature_distill(*levels))
        return losses

    @property
    def distils_queries(self) -> bool:
        """Whether a step runs the teacher's decoder: a logit or a box loss on the queries."""
        return self.distill_loss is not None or self.box_distill is not None

    @property
    def needs_teacher_encoder(self) -> bool:
        """Whether a step runs the teacher's encoder: for its decoder or for its features."""
        return self.distils_queries or self.feature_source == 'encoder'

    def teacher_encoder(self, teacher_features, batch_data_samples: SampleList) -> dict:
        """The teacher's encoder outputs on its features of the batch (``memory``) with the
        rest its decoder reads (the arguments of a ``forward_decoder`` call but the queries
        and boxes); fp32, no gradient."""
        teacher = self.teacher
        with teacher_head_in_fp32(teacher_features[0].device.type):
            encoder_inputs, decoder_inputs = teacher.pre_transformer(teacher_features,
                                                                     batch_data_samples)
            decoder_inputs['memory'] = teacher.forward_encoder(**encoder_inputs)['memory']
        return decoder_inputs

    def teacher_outputs(self, teacher_encoded: dict,
                        point_sets: List[Tensor]) -> Tuple[Tensor, Tensor]:
        """(layers, B, Q, C) class logits and (layers, B, Q, 4) boxes of the teacher's
        decoder layers on ``teacher_encoded`` (``teacher_encoder``) when its decoder starts
        from each of ``point_sets`` (B, Q_i, 4 boxes, normalised cx, cy, w, h: the student's
        initial boxes, then any general points; Q = their sum) with its own queries for them
        (``queries_for``); fp32, no gradient, a decoder pass per set (the sets do not attend
        to each other)."""
        with teacher_head_in_fp32(point_sets[0].device.type):
            answers = [self.decoder_outputs(self.teacher, teacher_encoded,
                                            points.detach().float()) for points in point_sets]
            return tuple(torch.cat([answer[part].float() for answer in answers], dim=2)
                         for part in (0, 1))

    @staticmethod
    def decoder_outputs(model, decoder_inputs: dict, boxes: Tensor) -> Tuple[Tensor, Tensor]:
        """(layers, B, Q, C) class logits and (layers, B, Q, 4) boxes of ``model``'s decoder
        layers run from ``boxes`` (B, Q, 4) with its own queries for them, on the encoder
        outputs of ``decoder_inputs`` (the arguments of one of its ``forward_decoder``
        calls), through its own head (box refinement included)."""
        inputs = {key: decoder_inputs[key] for key in (
            'memory', 'memory_mask', 'spatial_shapes', 'level_start_index', 'valid_ratios')}
        decoded = model.forward_decoder(**inputs, **queries_for(model, boxes),
                                        reference_points=boxes)
        return model.bbox_head(decoded['hidden_states'], decoded['references'])

    def _check_pair(self, teacher) -> None:
        name = type(self).__name__
        if not isinstance(teacher, DeformableDETR):
            raise TypeError(f'{name} needs a DINO or Deformable DETR teacher; '
                            f'teacher_config builds a {type(teacher).__name__}')
        if not teacher.as_two_stage:
            raise ValueError(f'{name}: the teacher answers the student\'s initial boxes, '
                             'so it must be two-stage (as_two_stage=True in teacher_config)')
        student, other = self.bbox_head, teacher.bbox_head
        if other.num_classes != student.num_classes:
            raise ValueError(f"teacher and student classes differ: the student's "
                             f'bbox_head.num_classes is {student.num_classes}, the teacher\'s '
                             f'{other.num_classes}. Use a teacher trained on the same classes.')
        meanings = [type(head.loss_cls).__name__ for head in (student, other)]
        if meanings[0] != meanings[1]:
            raise ValueError(f"teacher and student class scores mean different things: the "
                             f"student's bbox_head.loss_cls is {meanings[0]}, the teacher's "
                             f'{meanings[1]}. Use the same loss_cls for both.')
        if self.decoder_layers == 'all' and \
                teacher.decoder.num_layers != self.decoder.num_layers:
            raise ValueError(f"decoder_layers='all' pairs the decoders layer by layer, but the "
                             f"student's decoder.num_layers is {self.decoder.num_layers}, the "
                             f"teacher's {teacher.decoder.num_layers}. Use decoder_layers="
                             "'all_to_last' (every layer against the teacher's last) or "
                             "'last', or a teacher of the same depth.")
        check_content_queries(teacher, 'teacher', self.num_queries, self.general_points)


def encoder_channels(detector) -> List[int]:
    """Channels per level of a DETR's encoder outputs: its ``embed_dims`` at each of its
    ``num_feature_levels``."""
    return [detector.encoder.embed_dims] * detector.num_feature_levels


def encoder_maps(encoded: dict, neck_levels: Sequence[Tensor]) -> List[Tensor]:
    """A DETR encoder's output (``memory``: B, sum of H x W, C, with its ``memory_mask``) as
    one (B, C, H, W) map per feature level, the padded positions zeroed: what an encoder
    answers there belongs to no image. The levels' sizes are those of the neck's maps the
    encoder read (``neck_levels``), known on the host, unlike its ``spatial_shapes``."""
    memory, padded = encoded['memory'], encoded['memory_mask']
    if padded is not None:
        memory = memory.masked_fill(padded[..., None], 0)
    shapes = [level.shape[-2:] for level in neck_levels]
    levels = memory.split([height * width for height, width in shapes], dim=1)
    return [level.transpose(1, 2).reshape(len(memory), -1, height, width)
            for level, (height, width) in zip(levels, shapes)]


# the levels each feature_source names -> their channels per level, for a detector
FEATURE_CHANNELS = {'neck': neck_channels, 'encoder': encoder_channels}


def matched_labels(calls: list, scores: Tensor) -> Tensor:
    """(B, Q) class of the object each query of ``scores`` (B, Q, C: one decoder layer's
    matching queries) was matched to, ``num_classes`` for the unmatched: the targets of the
    student's own ``get_targets`` call on those scores (one call per decoder layer and one
    for the encoder, told apart by the tensor they read)."""
    for call in calls:
        first = call['cls_scores_list'][0]
        if first.data_ptr() == scores[0].data_ptr() and first.shape == scores[0].shape:
            return torch.stack(call['result'][0])
    raise RuntimeError(f"QueryDistiller: none of the student head's {len(calls)} "
                       "get_targets() calls read this decoder layer's matching queries; the "
                       'head computes its loss otherwise than DINOHead')


def queries_for(model, positions: Tensor) -> Dict[str, Tensor]:
    """The inputs of ``model.forward_decoder`` that say what to look for at ``positions``
    (B, Q, 4), besides the boxes themselves."""
    batch, count = positions.shape[:2]
    if isinstance(model, DINO):  # learned content queries, no denoising part
        content = model.query_embedding.weight[:count]
        return dict(query=content.expand(batch, -1, -1), dn_mask=None)
    # A two-stage Deformable DETR: queries made from the boxes (its pre_decoder).
    embedded = model.pos_trans_norm(model.pos_trans_fc(
        model.get_proposal_pos_embed(inverse_sigmoid(positions))))
    query_pos, query = torch.split(embedded, embedded.shape[-1] // 2, dim=2)
    return dict(query=query, query_pos=query_pos)


def general_boxes(count: int, like: Tensor) -> Tensor:
    """(B, count, 4) random boxes, normalised cx, cy, w, h, the same for every image of
    ``like`` (B, Q, 4): each coordinate the sigmoid of a standard normal draw, as KD-DETR's
    general points (a fresh ``nn.Embedding(count, 4)``'s weight, its reference points before
    the sigmoid), from the run's seeded generator."""
    boxes = torch.randn(count, 4, device=like.device).sigmoid()
    return boxes.expand(len(like), -1, -1)


def check_content_queries(model, who: str, *counts: int) -> None:
    """A DINO answers Q points with its first Q content queries: refuses ``counts`` (points
    of one decoder pass each) above its ``num_queries``, naming the setting."""
    wanted = max(counts)
    if not (isinstance(model, DINO) and model.num_queries < wanted):
        return
    if who == 'student':  # only general_points can exceed the student's own queries
        advice = "Lower general_points or raise the student's num_queries."
    else:
        advice = ("Lower the student's num_queries or general_points, or use a teacher with "
                  'at least as many.')
    raise ValueError(f"the {who} answers {wanted} points per decoder pass (the student's "
                     'num_queries, general_points) with its own content queries, but its '
                     f'num_queries is {model.num_queries}. {advice}')


@MODELS.register_module()
class DINODistiller(QueryDistiller, DINO):
    """``QueryDistiller`` with a DINO student."""


@MODELS.register_module()
class DeformableDETRDistiller(QueryDistiller, DeformableDETR):
    """``QueryDistiller`` with a two-stage Deformable DETR student."""
