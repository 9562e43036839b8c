# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Where each dense-head family keeps its per-prior classification logits and its assigner's
labels: one small adapter per family, found through the head's class hierarchy."""
from typing import Dict, List, Sequence, Type

import torch
from mmdet.models.dense_heads import (AnchorHead, ATSSHead, FCOSHead, GFLHead,
                                      RTMDetHead)
from torch import Tensor, nn

_ADAPTERS: Dict[type, Type['DenseHeadAdapter']] = {}


def register_adapter(adapter: Type['DenseHeadAdapter']) -> Type['DenseHeadAdapter']:
    for head in adapter.heads:
        _ADAPTERS[head] = adapter
    return adapter


def adapter_for(head: nn.Module, who: str) -> 'DenseHeadAdapter':
    """The adapter of the nearest registered class among ``type(head)``'s bases."""
    for klass in type(head).__mro__:
        if klass in _ADAPTERS:
            return _ADAPTERS[klass]()
    raise TypeError(f"SingleStageDistiller cannot read the {who}'s {type(head).__name__}: "
                    f'supported dense heads (and their subclasses) are '
                    f'{sorted(k.__name__ for k in _ADAPTERS)}')


class DenseHeadAdapter:
    """Reads one head family's outputs.

    ``heads``: the mmdet classes (and so their subclasses) it reads; ``labels_index``: where
    ``get_targets`` returns the per-level labels (background = ``num_classes``);
    ``centerness_index``: where ``forward`` returns centerness maps, if the family has them.
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

    def labels(self, targets: tuple, batch: int) -> Tensor:
        """(B, priors) assigner labels, in ``prior_rows`` order, from ``get_targets``' result
        (per-level (B, n) or, as FCOS, per-level (B * n,) image-major)."""
        return torch.cat([level.reshape(batch, -1) for level in targets[self.labels_index]],
                         dim=1)


def prior_rows(score_maps: Sequence[Tensor], columns: int) -> Tensor:
    """(B, priors, columns): level by level, location by location (y, then x), the priors of a
    location in a row, as mmdet's prior generators and ``get_targets`` order them."""
    return torch.cat([level.permute(0, 2, 3, 1).reshape(level.shape[0], -1, columns)
                      for level in score_maps], dim=1)


@register_adapter
class AnchorHeadAdapter(DenseHeadAdapter):
    """RetinaNet and the other ``AnchorHead``s whose ``get_targets`` starts with labels."""
    heads = (AnchorHead, )


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
    """RTMDet (and ``RTMDetSepBNHead``): an ``ATSSHead`` subclass without centerness."""
    heads = (RTMDetHead, )
    labels_index = 1


@register_adapter
class FCOSHeadAdapter(DenseHeadAdapter):
    """FCOS: per-level labels image-major in one vector; centerness is its third output."""
    heads = (FCOSHead, )
    centerness_index = 2
