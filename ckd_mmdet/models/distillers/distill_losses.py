# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""The losses every distiller that is the student detector takes: a logit loss, a feature
distillation, or both."""
from typing import Optional

from torch import nn

from ..builder import build_loss
from .feature_distillation import FeatureDistillation, loss_key, neck_channels


def init_distill_losses(distiller: nn.Module, distill_loss: Optional[dict],
                        distill_loss_name: Optional[str], feature_distill: Optional[dict],
                        logits: str) -> None:
    """Sets ``distill_loss``, ``distill_loss_name`` and ``feature_distill`` on ``distiller``
    (after its teacher is built); ``logits`` says what the logit loss compares, for the
    error when neither is given."""
    if distill_loss is None and feature_distill is None:
        raise ValueError(f'{type(distiller).__name__} distils nothing: give distill_loss '
                         f'({logits}), feature_distill (neck features) or both')
    distiller.distill_loss = None if distill_loss is None else build_loss(distill_loss,
                                                                          'distill_loss')
    distiller.distill_loss_name = distill_loss_name or (
        None if distiller.distill_loss is None else loss_key(distiller.distill_loss))
    distiller.feature_distill = None if feature_distill is None else \
        FeatureDistillation.from_config(feature_distill, neck_channels(distiller),
                                        neck_channels(distiller.teacher))
