# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""A frozen teacher detector for any distiller that is itself the student detector."""
import warnings
from contextlib import contextmanager
from os import path as osp
from typing import Callable, Optional, Sequence, Tuple, Union

import torch
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmengine.config import Config, ConfigDict
from mmengine.hub import get_config
from mmengine.logging import print_log
from mmengine.registry import DefaultScope
from torch import Tensor, nn

from .alignment import TeacherCheck
from .teacher_checkpoint import (check_teacher_classes, init_without_downloads,
                                 load_teacher_checkpoint)
from .teacher_inputs import input_converter

TEACHER_PRECISIONS = {'fp32': None, 'fp16': torch.float16, 'bf16': torch.bfloat16}


class FrozenTeacherMixin:
    """Gives a student detector (a ``BaseDetector`` subclass listed after this mixin) a
    frozen teacher detector held outside its module tree.

    The teacher, ``self.teacher``, is not in ``state_dict()`` (checkpoints load into the plain
    student), not in ``parameters()`` (the optimizer and DDP never see it), not switched by
    ``train()`` (it stays in eval mode, batch-norm statistics included), yet it follows
    ``.to()``/``.cuda()``/``.half()``. Its weights come from ``teacher_ckpt`` in
    ``init_weights()`` (which the Runner calls before training and before resuming), or at
    the first ``teacher_features()`` call if that was not called; testing a distilled
    checkpoint therefore never reads the teacher's.

    A distiller calls ``_init_teacher(...)`` in its ``__init__`` after the student is built,
    and ``teacher_features(batch_inputs, batch_data_samples)`` in its ``loss()``.
    """

    def _init_teacher(self, teacher_config: Union[dict, str], teacher_ckpt: Optional[str],
                      teacher_precision: str = 'fp32', teacher_channels_last: bool = False,
                      check_pair: Optional[Callable[[nn.Module], None]] = None,
                      teacher_check: bool = True) -> None:
        """Builds the teacher from ``teacher_config`` (a model dict, or a config file, mmdet::
        paths included) in the mmdet scope; ``check_pair(teacher)`` raises when the pair does
        not fit the distiller. ``teacher_check``: warn once when the teacher's accuracy on the
        first step's rows is no better than a trivial rule (``self.check_teacher``)."""
        if teacher_precision not in TEACHER_PRECISIONS:
            raise ValueError(f'teacher_precision must be one of {sorted(TEACHER_PRECISIONS)}, '
                             f'got {teacher_precision!r}')
        if teacher_ckpt is not None and '://' not in teacher_ckpt and not osp.isfile(
                osp.expanduser(teacher_ckpt)):
            raise FileNotFoundError(f'teacher_ckpt: no file at {teacher_ckpt!r}')
        with DefaultScope.overwrite_default_scope('mmdet'):  # also outside a Runner
            teacher = MODELS.build(_model_config(teacher_config))
        if check_pair is not None:
            check_pair(teacher)
        teacher.requires_grad_(False)
        if teacher_channels_last:
            teacher.to(memory_format=torch.channels_last)
        # Bypasses nn.Module registration on purpose: see the class docstring.
        object.__setattr__(self, 'teacher', teacher.eval())
        self.teacher_ckpt = teacher_ckpt
        self.teacher_precision = teacher_precision
        self.teacher_channels_last = bool(teacher_channels_last)
        self.teacher_classes = None  # from the checkpoint, when it says them
        self._teacher_loaded = False
        self._to_teacher_inputs = input_converter(self.data_preprocessor,
                                                  teacher.data_preprocessor)
        self._teacher_check = TeacherCheck(type(self).__name__, teacher_check)

    def check_teacher(self, logits: Tensor, labels: Tensor, rows: str) -> None:
        """The one-time warning of a teacher no better than a trivial rule on the (N, K)
        ``logits`` of the distilled rows with (N,) ``labels`` in [0, K) (``TeacherCheck``).
        Not for ``teacher_ckpt=None``: ``load_teacher`` already warned of its random weights."""
        if self.teacher_ckpt is not None:
            self._teacher_check(self.teacher, self.teacher_ckpt, logits, labels, rows)

    def init_weights(self) -> None:
        super().init_weights()  # the student's init_cfg; the teacher is not a child
        self.load_teacher()

    def load_teacher(self) -> None:
        """Loads ``teacher_ckpt`` into the teacher, refusing checkpoints that do not fit, and
        keeps the class names it carries for ``check_teacher_classes``."""
        name = type(self).__name__
        if self.teacher_ckpt is None:
            warnings.warn(f'{name}: teacher_ckpt is None, the teacher keeps random weights '
                          '(its own initialisation, no pretrained backbone fetched) and '
                          'distillation teaches nothing useful.')
            init_without_downloads(self.teacher)
        else:
            self.teacher_classes = load_teacher_checkpoint(self.teacher, self.teacher_ckpt)
            print_log(f'{name}: teacher weights loaded from {self.teacher_ckpt}',
                      logger='current')
        self._teacher_loaded = True

    def check_teacher_classes(self, dataset_classes: Optional[Sequence[str]]) -> None:
        """Raises when the teacher checkpoint's classes (names and order) are not
        ``dataset_classes``, the training set's; logs one line when either is unknown.
        ``TeacherClassesHook`` calls it before the first iteration."""
        if not self._teacher_loaded:
            self.load_teacher()
        if self.teacher_ckpt is not None:
            check_teacher_classes(self.teacher_classes, dataset_classes, self.teacher_ckpt,
                                  type(self).__name__)

    def teacher_features(self, batch_inputs: Tensor,
                         batch_data_samples: SampleList) -> Tuple[Tensor, ...]:
        """The teacher's backbone+neck features of the student's batch (re-normalised for the
        teacher when their preprocessors differ), float32 and contiguous NCHW. No gradient."""
        if not self._teacher_loaded:
            self.load_teacher()
        with torch.no_grad():
            inputs = self._to_teacher_inputs(batch_inputs, batch_data_samples)
            if self.teacher_channels_last:
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            dtype = TEACHER_PRECISIONS[self.teacher_precision]
            with torch.autocast(inputs.device.type, dtype=dtype, enabled=dtype is not None):
                features = self.teacher.extract_feat(inputs)
            # mmcv's RoIAlign reads its input as contiguous NCHW whatever its strides: a
            # channels-last feature map would give wrong results without any error.
            return tuple(level.float().contiguous() for level in features)

    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        self.teacher._apply(fn, *args, **kwargs)  # .to(), .cuda(), .half() reach it too
        return self

    def extra_repr(self) -> str:
        return (f'teacher={type(self.teacher).__name__} (frozen, not in state_dict), '
                f'teacher_ckpt={self.teacher_ckpt!r}, '
                f'teacher_precision={self.teacher_precision!r}, '
                f'teacher_channels_last={self.teacher_channels_last}')


@contextmanager
def teacher_head_in_fp32(device_type: str):
    """No gradient and no autocast: the teacher's heads give fp32 logits from the fp32
    features of ``teacher_features()`` even inside AMP's autocast (``--amp``), which would
    otherwise run their convolutions and linear layers in fp16/bf16."""
    with torch.no_grad(), torch.autocast(device_type, enabled=False):
        yield


def _model_config(config):
    if isinstance(config, (str, bytes)) or hasattr(config, '__fspath__'):
        path = str(config)
        if '::' in path:
            return get_config(path).model
        if not osp.isfile(path):
            raise FileNotFoundError(f'teacher_config: no config file at {path!r}')
        return Config.fromfile(path).model
    if not isinstance(config, dict):
        raise TypeError(f'teacher_config must be a model config dict or a config file path, '
                        f'got {type(config).__name__}')
    return ConfigDict(config)
