# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Where each dense-head family keeps its per-prior classification logits and its assigner's
labels: one small adapter per family, for the exact mmdet classes it was verified on.

A head is read by contract, not by inheritance: mmdet's own subclasses of supported heads
often change what ``forward`` returns (TOOD: probabilities) or what ``get_targets`` returns
(PAA: label weights where ATSS has labels; YOLOF: one (B, n) tensor; VFNet: a flat tensor).
So a head is accepted only when its class is one an adapter lists, or a subclass of one that
overrides none of the methods whose results the adapter reads (``READS``)."""
from typing import Dict, List, Sequence, Type

import torch
from mmdet.models.dense_heads import (AnchorHead, ATSSHead, FCOSHead, GFLHead,
                                      RetinaHead, RTMDetHead, RTMDetSepBNHead)
from torch import Tensor, nn

_ADAPTERS: Dict[type, Type['DenseHeadAdapter']] = {}
# What the adapters read: the score maps ``forward`` returns and the labels ``get_targets``
# returns when the head's own ``loss_by_feat`` calls it.
READS = ('forward', 'forward_single', 'loss_by_feat', 'get_targets', '_get_targets_single')


def register_adapter(adapter: Type['DenseHeadAdapter']) -> Type['DenseHeadAdapter']:
    for head in adapter.heads:
        _ADAPTERS[head] = adapter
    return adapter


def supported_heads() -> List[str]:
    return sorted(head.__name__ for head in _ADAPTERS)


def adapter_for(head: nn.Module, who: str) -> 'DenseHeadAdapter':
    """The adapter of ``type(head)``, or of the nearest verified base class when the head
    overrides none of ``READS``; a ``TypeError`` naming the head otherwise."""
    supported = (f'supported dense heads: {supported_heads()}, and their subclasses that do '
                 f'not override {", ".join(READS)}')
    for klass in type(head).__mro__:
        if klass not in _ADAPTERS:
            continue
        overridden = [name for name in READS
                      if getattr(type(head), name, None) is not getattr(klass, name, None)]
        if overridden:
            raise TypeError(
                f"SingleStageDistiller cannot read the {who}'s {type(head).__name__}: it "
                f'subclasses {klass.__name__} but overrides {", ".join(overridden)}, so its '
                f'score maps or assigner labels may not be what the {klass.__name__} adapter '
                f'reads; {supported}. A new head needs its own adapter (dense_heads.py).')
        return _ADAPTERS[klass]()
    raise TypeError(f"SingleStageDistiller cannot read the {who}'s {type(head).__name__}: "
                    f'{supported}')


class DenseHeadAdapter:
    """Reads one head family's outputs.

    ``heads``: the exact mmdet classes it was verified on (a row-alignment test each);
    ``labels_index``: where ``get_targets`` returns the per-level integer labels (background
    = ``num_classes``); ``centerness_index``: where ``forward`` returns centerness maps, if
    the family has them.
    """
    heads: Sequence[type] = ()
    labels_index = 0
    centerness_index = None

    def score_maps(self, outs: tuple, with_centerness: bool = False) -> List[Tensor]:
        """Per level (B, priors per location x columns, H, W): the classification logits, and
        the centerness logit as one more column when asked."""
        if not with_centerness:
            return list(outs[0])
        return [torch.cat([scores, centerness], dim=1)
                for scores, centerness in zip(outs[0], outs[self.centerness_index])]

    def labels(self, targets: tuple, batch: int, level_priors: Sequence[int],
               head_name: str = 'the head') -> Tensor:
        """(B, priors) assigner labels, in ``prior_rows`` order, from ``get_targets``' result:
        per level an integer tensor of ``batch x level_priors[level]`` labels, (B, n) or, as
        FCOS, (B * n,) image-major. Anything else raises rather than being reshaped."""
        levels = targets[self.labels_index]
        problem = None
        if not isinstance(levels, (list, tuple)) or len(levels) != len(level_priors):
            problem = (f'a {type(levels).__name__} of {_length(levels)} items, not one tensor '
                       f'per level ({len(level_priors)} levels)')
        else:
            for level, (labels, priors) in enumerate(zip(levels, level_priors)):
                if not isinstance(labels, Tensor) or labels.is_floating_point() or \
                        labels.dtype == torch.bool or labels.is_complex():
                    problem = f'level {level} holds {_describe(labels)}, not integer labels'
                elif labels.numel() != batch * priors:
                    problem = (f'level {level} holds {labels.numel()} labels, not '
                               f'{batch} images x {priors} priors')
                if problem:
                    break
        if problem:
            raise RuntimeError(
                f'SingleStageDistiller: {head_name}.get_targets()[{self.labels_index}] is '
                f'not per-level integer labels of every prior ({problem}); the '
                f'{type(self).__name__} cannot read this head.')
        return torch.cat([level.reshape(batch, -1) for level in levels], dim=1)


def _length(value):
    return len(value) if hasattr(value, '__len__') else 'no'


def _describe(value):
    if isinstance(value, Tensor):
        return f'a {value.dtype} tensor of shape {tuple(value.shape)}'
    return f'a {type(value).__name__}'


def prior_rows(score_maps: Sequence[Tensor], columns: int) -> Tensor:
    """(B, priors, columns): level by level, location by location (y, then x), the priors of a
    location in a row, as mmdet's prior generators and ``get_targets`` order them."""
    return torch.cat([level.permute(0, 2, 3, 1).reshape(level.shape[0], -1, columns)
                      for level in score_maps], dim=1)


@register_adapter
class AnchorHeadAdapter(DenseHeadAdapter):
    """RetinaNet: ``get_targets`` starts with the per-level labels."""
    heads = (AnchorHead, RetinaHead)


@register_adapter
class ATSSHeadAdapter(DenseHeadAdapter):
    """ATSS: ``get_targets`` starts with the anchors; centerness is its third output."""
    heads = (ATSSHead, )
    labels_index = 1
    centerness_index = 2


@register_adapter
class GFLHeadAdapter(DenseHeadAdapter):
    """GFL: the class scores are its quality-focal (joint class x IoU) scores."""
    heads = (GFLHead, )
    labels_index = 1


@register_adapter
class RTMDetHeadAdapter(DenseHeadAdapter):
    """RTMDet (``RTMDetSepBNHead`` in mmdet's configs): an ``ATSSHead`` subclass without
    centerness, its class scores quality-focal like GFL's."""
    heads = (RTMDetHead, RTMDetSepBNHead)
    labels_index = 1


@register_adapter
class FCOSHeadAdapter(DenseHeadAdapter):
    """FCOS: per-level labels image-major in one vector; centerness is its third output."""
    heads = (FCOSHead, )
    centerness_index = 2
