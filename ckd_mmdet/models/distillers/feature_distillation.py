# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Feature distillation between the student's and the teacher's neck (FPN) levels, or any
other multi-level maps of theirs (a DETR's encoder outputs), for any distiller that is the
student detector and holds a frozen teacher."""
import inspect
import re
from typing import Dict, List, Optional, Sequence

from mmdet.models.necks import ChannelMapper, CSPNeXtPAFPN, YOLOXPAFPN
from mmdet.registry import MODELS
from mmengine.registry import DefaultScope
from torch import Tensor, nn

from ..builder import build_loss

KEYS = ('loss', 'connector', 'levels', 'loss_name')
_ONE_LEVEL_PER_INPUT = (CSPNeXtPAFPN, YOLOXPAFPN)


class FeatureDistillation(nn.Module):
    """An optional trainable connector on the student's levels, then a feature loss against
    the teacher's levels, level by level.

    A child of the distiller: the connector is trained with the student, saved in its
    checkpoints under ``feature_distill.connector.`` and restored on resume (a plain student
    config drops those keys, see ``DropDistillationKeysHook``).

    Args:
        loss (dict): A registered loss called as ``loss(student_feats, teacher_feats)`` with
            two sequences of (N, C, H, W) maps: ``HCLLoss`` (ReviewKD), ``mmrazor.PKDLoss``.
        connector (dict, optional): A registered module mapping the student's levels to the
            teacher's channels (``ReviewKDConnector``). ``in_channels``/``out_channels`` that
            it takes and the config leaves out are filled in from the two necks.
        levels (Sequence[int], optional): Indices of the levels the loss compares (after the
            connector, which sees them all), e.g. ``[0, 1, 2, 3]`` for p2-p5 as MMRazor's PKD
            configs; all by default.
        loss_name (str, optional): Key in the loss dict; ``loss_`` + the loss type in snake
            case without ``Loss`` by default (``loss_hcl``, ``loss_pkd``).
        student_channels, teacher_channels (list[int], optional): Channels per level of the
            two necks when the distiller can tell (FPN); checked here, at build time.
        source (str): What the levels are, for the errors: 'neck' (the default), 'encoder'.
    """

    def __init__(self, loss: dict, connector: Optional[dict] = None,
                 levels: Optional[Sequence[int]] = None, loss_name: Optional[str] = None, *,
                 student_channels: Optional[List[int]] = None,
                 teacher_channels: Optional[List[int]] = None, source: str = 'neck') -> None:
        super().__init__()
        self.source = source
        with DefaultScope.overwrite_default_scope('mmdet'):  # also outside a Runner
            self.loss = build_loss(loss, 'feature_distill.loss')
            self.connector = None if connector is None else _build_connector(
                dict(connector), student_channels, teacher_channels, source)
        self.loss_name = loss_name or loss_key(self.loss)
        if self.connector is None and None not in (student_channels, teacher_channels) and \
                student_channels != teacher_channels:
            raise ValueError(
                f'feature_distill: the student {source} gives {_levels(student_channels)}, the '
                f"teacher's {_levels(teacher_channels)}; {type(self.loss).__name__} compares "
                f'them level by level. Add a connector that maps them, e.g. '
                f"feature_distill.connector=dict(type='ReviewKDConnector')")
        self.levels = None if levels is None else [int(level) for level in levels]
        count = len(teacher_channels or student_channels or [])
        if self.levels is not None and count and not all(-count <= level < count
                                                         for level in self.levels):
            raise ValueError(f'feature_distill.levels {self.levels}: the {source}s give '
                             f'{count} levels (0 to {count - 1})')
        self._shapes_checked = False

    @classmethod
    def from_config(cls, cfg: dict, student_channels: Optional[List[int]],
                    teacher_channels: Optional[List[int]],
                    source: str = 'neck') -> 'FeatureDistillation':
        if not isinstance(cfg, dict) or 'loss' not in cfg:
            raise TypeError("feature_distill must be a dict with a 'loss' (and optionally "
                            f"'connector', 'levels', 'loss_name'), got {cfg!r}")
        unknown = sorted(set(cfg) - set(KEYS))
        if unknown:
            raise TypeError(f'feature_distill: unknown keys {unknown}; it takes {list(KEYS)}')
        return cls(**cfg, student_channels=student_channels, teacher_channels=teacher_channels,
                   source=source)

    def forward(self, student_feats: Sequence[Tensor],
                teacher_feats: Sequence[Tensor]) -> Dict[str, Tensor]:
        if self.connector is not None:
            student_feats = self.connector(student_feats)
        if self.levels is not None:
            student_feats = [student_feats[level] for level in self.levels]
            teacher_feats = [teacher_feats[level] for level in self.levels]
        if not self._shapes_checked:
            _check_shapes(student_feats, teacher_feats, self.connector is not None, self.source)
            self._shapes_checked = True
        return {self.loss_name: self.loss(student_feats, teacher_feats)}


def loss_key(loss: nn.Module) -> str:
    """``loss_`` + the loss class name without ``Loss``, in snake case (CKDLoss -> loss_ckd)."""
    name = re.sub('Loss$', '', type(loss).__name__)
    return 'loss_' + re.sub(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])', '_',
                            name).lower()


def neck_channels(detector) -> Optional[List[int]]:
    """Channels per output level of a detector's neck when its attributes say them, else None
    (then checked at the first step): FPN and its kin (``out_channels`` x ``num_outs``), the
    PAFPNs that give one level per input (RTMDet's ``CSPNeXtPAFPN``, ``YOLOXPAFPN``) and the
    DETRs' ``ChannelMapper`` (one level per input, then its extra convolutions)."""
    neck = getattr(detector, 'neck', None)
    if isinstance(neck, ChannelMapper):  # keeps no out_channels or num_outs
        levels = len(neck.convs) + len(neck.extra_convs or [])
        return [neck.convs[0].conv.out_channels] * levels
    channels, levels = getattr(neck, 'out_channels', None), getattr(neck, 'num_outs', None)
    if levels is None and isinstance(neck, _ONE_LEVEL_PER_INPUT):
        levels = len(neck.in_channels)
    if isinstance(channels, int) and isinstance(levels, int):
        return [channels] * levels
    return None


def _levels(channels):
    if len(set(channels)) == 1:
        return f'{len(channels)} levels of {channels[0]} channels'
    return f'{len(channels)} levels of {channels} channels'


def _build_connector(cfg, student_channels, teacher_channels, source):
    connector_type = cfg.get('type')
    connector_class = MODELS.get(connector_type) if isinstance(connector_type, str) else \
        connector_type
    if connector_class is None:
        raise ValueError(f'feature_distill.connector: type {connector_type!r} is not '
                         'registered (ReviewKDConnector, or your own in custom_imports)')
    accepted = inspect.signature(connector_class.__init__).parameters
    for key, neck, who in (('in_channels', student_channels, 'student'),
                           ('out_channels', teacher_channels, 'teacher')):
        if key not in accepted:
            continue
        if neck is None:
            if key not in cfg and accepted[key].default is inspect.Parameter.empty:
                raise ValueError(
                    f'feature_distill.connector.{key}: {connector_class.__name__} needs the '
                    f"{who} neck's channels per level, and its neck does not say them "
                    '(no out_channels/num_outs): give them, e.g. '
                    f'feature_distill.connector.{key}=[256, 256, 256]')
            continue
        if key not in cfg:
            cfg[key] = neck
        elif list(cfg[key]) != neck:
            raise ValueError(
                f'feature_distill.connector.{key} is {list(cfg[key])} but the {who} {source} '
                f'gives {_levels(neck)} ({neck}); the student {source} gives '
                f"{_levels(student_channels or [])}, the teacher's "
                f'{_levels(teacher_channels or [])}. Leave {key} out to take the {source}\'s.')
    if 'in_channels' in cfg and 'out_channels' in cfg and \
            len(cfg['in_channels']) != len(cfg['out_channels']):
        raise ValueError(
            f'feature_distill.connector ({connector_class.__name__}) maps level i of the '
            f'student to level i of the teacher, but the student {source} gives '
            f"{len(cfg['in_channels'])} levels {list(cfg['in_channels'])} and the teacher's "
            f"{len(cfg['out_channels'])} levels {list(cfg['out_channels'])}: make the "
            f'{source}s give the same levels' +
            (' (FPN num_outs, start_level)' if source == 'neck' else ''))
    return MODELS.build(cfg)


def _check_shapes(student_feats, teacher_feats, connected, source):
    after = ' after the connector' if connected else ''
    if len(student_feats) != len(teacher_feats):
        raise ValueError(f'feature_distill: the student gives {len(student_feats)} feature '
                         f"levels{after}, the teacher {len(teacher_feats)}")
    for level, (student, teacher) in enumerate(zip(student_feats, teacher_feats)):
        if student.shape != teacher.shape:
            raise ValueError(
                f'feature_distill: level {level} of the student{after} is '
                f'{tuple(student.shape)}, the teacher\'s {tuple(teacher.shape)} (N, C, H, W); '
                f'the feature loss compares them element by element: give the two {source}s '
                'the same strides and levels' + ('' if connected else ', or add a connector'))
