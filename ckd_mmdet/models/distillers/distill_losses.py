# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""The losses every distiller that is the student detector takes: one logit loss or several
side by side (CKD beside KD), a feature distillation, or both."""
import inspect
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from torch import Tensor, nn

from ..builder import build_loss
from .alignment import alignment_scalars, teacher_accuracy
from .feature_distillation import FeatureDistillation, loss_key, neck_channels
from .prior_selection import PriorSelection, per_loss

LossConfig = Union[dict, Sequence[dict], None]


def init_distill_losses(distiller: nn.Module, distill_loss: LossConfig,
                        distill_loss_name: Union[str, Sequence[str], None],
                        feature_distill: Optional[dict], logits: str,
                        distils_more: bool = False, feature_source: str = 'neck',
                        feature_channels: Callable = neck_channels) -> None:
    """Sets ``distill_loss`` (a loss module, an ``nn.ModuleList`` for a list of configs, or
    None), ``distill_loss_name`` (a key, or one key per loss) and ``feature_distill`` on
    ``distiller`` (after its teacher is built); ``logits`` says what the logit loss compares,
    for the error when nothing is given, unless ``distils_more`` (something else, e.g. a
    DETR's boxes). The feature loss compares ``feature_source``'s levels, whose channels
    ``feature_channels(detector)`` gives (None: unknown until the first step)."""
    if not distill_loss and feature_distill is None and not distils_more:
        raise ValueError(f'{type(distiller).__name__} distils nothing: give distill_loss '
                         f'({logits}), feature_distill ({feature_source} features) or both')
    if isinstance(distill_loss, (list, tuple)):
        losses = nn.ModuleList(build_loss(config, f'distill_loss[{i}]')
                               for i, config in enumerate(distill_loss))
        names = list(distill_loss_name or [loss_key(loss) for loss in losses])
        if isinstance(distill_loss_name, str) or len(names) != len(losses):
            raise ValueError(f'distill_loss_name: give one key per distill_loss ({len(losses)}'
                             f'), got {distill_loss_name!r}')
        if len(set(names)) != len(names):
            raise ValueError(f'distill_loss_name: the losses would share a key in the loss '
                             f'dict ({names}); name each: distill_loss_name=[...]')
        distiller.distill_loss, distiller.distill_loss_name = losses, names
    else:
        distiller.distill_loss = None if not distill_loss else build_loss(distill_loss,
                                                                          'distill_loss')
        distiller.distill_loss_name = distill_loss_name or (
            None if distiller.distill_loss is None else loss_key(distiller.distill_loss))
    distiller.feature_distill = None if feature_distill is None else \
        FeatureDistillation.from_config(feature_distill, feature_channels(distiller),
                                        feature_channels(distiller.teacher), feature_source)


def logit_losses(distiller: nn.Module) -> List[Tuple[str, nn.Module]]:
    """(key in the loss dict, loss module) of each logit loss of ``distiller``."""
    if distiller.distill_loss is None:
        return []
    if isinstance(distiller.distill_loss, nn.ModuleList):
        return list(zip(distiller.distill_loss_name, distiller.distill_loss))
    return [(distiller.distill_loss_name, distiller.distill_loss)]


def loss_selections(distiller: nn.Module) -> List[PriorSelection]:
    """The row selection (``distiller.samples``) of each logit loss, in the order of
    ``distill_loss``."""
    return per_loss(distiller.samples, len(logit_losses(distiller)))


def takes(loss: nn.Module, argument: str) -> bool:
    """Whether ``loss.forward`` takes ``argument`` (DKD's ``gt_labels``, CKD's ``groups``)."""
    return argument in inspect.signature(loss.forward).parameters


def selected_row_losses(distiller: nn.Module, student_rows: Tensor, teacher_rows: Tensor,
                        labels: Optional[Tensor], objects: Optional[Tensor],
                        positives_name: str, scalars: bool = True) -> Dict[str, Tensor]:
    """Each logit loss of ``distiller`` on the rows its selection (``loss_selections``) takes
    from the (B, rows, C) logits of both; with ``scalars``, the teacher is checked on the
    positives (labels in [0, num_classes), ``positives_name`` in the warning) and the
    alignment scalars are added (False: the losses alone, e.g. a DETR's auxiliary layers)."""
    selections = loss_selections(distiller)
    accuracy = None
    if labels is not None and scalars:
        positives = selections[0].positives(labels)
        classes = teacher_rows[..., :selections[0].num_classes][positives]
        distiller.check_teacher(classes, labels[positives], positives_name)
        accuracy = teacher_accuracy(classes, labels[positives])
    losses, rows = {}, []
    for (name, loss), selection in zip(logit_losses(distiller), selections):
        student, teacher, keywords = selection(student_rows, teacher_rows, labels, objects)
        losses[name] = loss(student, teacher, **keywords)
        rows.append(len(student))
    if scalars:
        losses.update(alignment_scalars(logit_losses(distiller), rows, accuracy,
                                        student_rows.device))
    return losses
