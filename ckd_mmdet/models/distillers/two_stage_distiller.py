# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""RoI-logit distillation for two-stage detectors: the student is the detector."""
import inspect
import re
import warnings
from contextlib import contextmanager
from os import path as osp
from typing import Optional, Union

import torch
from mmdet.models.detectors import TwoStageDetector
from mmdet.models.roi_heads import StandardRoIHead
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmengine.config import Config, ConfigDict
from mmengine.hub import get_config
from mmengine.logging import print_log
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import _load_checkpoint
from torch import Tensor

from ..builder import build_loss


@MODELS.register_module()
class TwoStageDistiller(TwoStageDetector):
    """A two-stage student detector that learns a frozen teacher's RoI classification logits.

    The student trains as usual; its RoI head's sampled RoIs (all images of the batch) are
    also given to the teacher's RoI head, on the teacher's own backbone/neck features, so
    ``distill_loss`` compares the two ``cls_score`` tensors row for row.

    The teacher is held outside the module tree: it is not in ``state_dict()`` (checkpoints
    load into the plain student), not in ``parameters()`` (the optimizer and DDP never see
    it), not switched by ``train()`` (it stays in eval mode), yet it follows ``.to()``. Its
    weights come from ``teacher_ckpt`` in ``init_weights()`` (which the Runner calls before
    training and before resuming), or at the first ``loss()`` if that was not called; testing
    a distilled checkpoint therefore never downloads the teacher.

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
            RoIAlign is fp32 only, and the logits should not lose precision). Saves time on
            GPUs with tensor cores; see the README's performance section for what it
            measured and what it changes in the loss.
        teacher_channels_last (bool): Keep the teacher's convolution weights and inputs in
            channels-last memory format (faster convolutions on recent GPUs, and sometimes
            with oneDNN on CPUs).
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
        with DefaultScope.overwrite_default_scope('mmdet'):  # also outside a Runner
            teacher = MODELS.build(_model_config(teacher_config))
        _check_pair(teacher, self)
        teacher.requires_grad_(False)
        if teacher_precision not in _TEACHER_PRECISIONS:
            raise ValueError(f'teacher_precision must be one of {sorted(_TEACHER_PRECISIONS)}, '
                             f'got {teacher_precision!r}')
        self.teacher_precision = teacher_precision
        self.teacher_channels_last = bool(teacher_channels_last)
        if self.teacher_channels_last:
            teacher.to(memory_format=torch.channels_last)
        # Bypasses nn.Module registration on purpose: see the class docstring.
        object.__setattr__(self, 'teacher', teacher.eval())
        if teacher_ckpt is not None and '://' not in teacher_ckpt and not osp.isfile(
                osp.expanduser(teacher_ckpt)):
            raise FileNotFoundError(f'teacher_ckpt: no file at {teacher_ckpt!r}')
        self.teacher_ckpt = teacher_ckpt
        self._teacher_loaded = False
        self.distill_loss = build_loss(distill_loss, 'distill_loss')
        self.distill_loss_name = distill_loss_name or 'loss_' + _snake(
            re.sub('Loss$', '', type(self.distill_loss).__name__))
        self._loss_takes_labels = 'gt_labels' in inspect.signature(
            self.distill_loss.forward).parameters
        self._to_teacher_inputs = _input_converter(self.data_preprocessor,
                                                   teacher.data_preprocessor)

    def init_weights(self) -> None:
        super().init_weights()  # the student's init_cfg; the teacher is not a child
        self.load_teacher()

    def load_teacher(self) -> None:
        """Loads ``teacher_ckpt`` into the teacher, refusing checkpoints that do not fit."""
        if self.teacher_ckpt is None:
            warnings.warn('TwoStageDistiller: teacher_ckpt is None, the teacher keeps random '
                          'weights and distillation teaches nothing useful.')
            self._teacher_loaded = True
            return
        state_dict = _read_state_dict(self.teacher_ckpt)
        try:
            result = self.teacher.load_state_dict(state_dict, strict=False)
        except RuntimeError as error:  # shape mismatches
            mismatches = re.findall(r'size mismatch for [^\n]*', str(error))
            raise ValueError(
                f'teacher_ckpt {self.teacher_ckpt} does not fit teacher_config: '
                f'{len(mismatches)} tensors differ in shape, e.g. '
                + '; '.join(mismatches[:3])) from error
        if result.missing_keys or result.unexpected_keys:
            raise ValueError(
                f'teacher_ckpt {self.teacher_ckpt} does not fit teacher_config: '
                f'{len(result.missing_keys)} keys of the teacher are missing from it '
                f'(e.g. {result.missing_keys[:3]}), {len(result.unexpected_keys)} of its keys '
                f'are not in the teacher (e.g. {result.unexpected_keys[:3]}). Is it the '
                'checkpoint of the model that teacher_config describes?')
        print_log(f'TwoStageDistiller: teacher weights loaded from {self.teacher_ckpt}',
                  logger='current')
        self._teacher_loaded = True

    def loss(self, batch_inputs: Tensor, batch_data_samples: SampleList) -> dict:
        if not self._teacher_loaded:
            self.load_teacher()
        with _recording(self.roi_head.bbox_head, 'loss_and_target') as record:
            losses = super().loss(batch_inputs, batch_data_samples)
        if not record:
            raise RuntimeError(f'{type(self.roi_head).__name__} never called '
                               'bbox_head.loss_and_target(): no RoI logits to distil')
        rois = record['rois'].detach()  # the student's sampled RoIs, as its head saw them
        with torch.no_grad():
            teacher_logits = self.teacher_logits(batch_inputs, batch_data_samples, rois)
        extra = dict(gt_labels=record['labels']) if self._loss_takes_labels else {}
        losses[self.distill_loss_name] = self.distill_loss(record['cls_score'],
                                                           teacher_logits, **extra)
        return losses

    def teacher_logits(self, batch_inputs: Tensor, batch_data_samples: SampleList,
                       rois: Tensor) -> Tensor:
        """The teacher's (num_rois, num_classes + 1) classification logits for ``rois``
        (``bbox2roi`` format), on the teacher's own features of the same images."""
        inputs = self._to_teacher_inputs(batch_inputs, batch_data_samples)
        if self.teacher_channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        dtype = _TEACHER_PRECISIONS[self.teacher_precision]
        with torch.autocast(inputs.device.type, dtype=dtype, enabled=dtype is not None):
            features = self.teacher.extract_feat(inputs)
        # mmcv's RoIAlign reads its input as contiguous NCHW whatever its strides: a
        # channels-last feature map would give wrong logits without any error.
        features = tuple(level.float().contiguous() for level in features)
        return self.teacher.roi_head._bbox_forward(features, rois)['cls_score']

    def _apply(self, fn, *args, **kwargs):
        super()._apply(fn, *args, **kwargs)
        self.teacher._apply(fn, *args, **kwargs)  # .to(), .cuda(), .half() reach it too
        return self

    def extra_repr(self) -> str:
        return (f'teacher={type(self.teacher).__name__} (frozen, not in state_dict), '
                f'teacher_ckpt={self.teacher_ckpt!r}, '
                f'teacher_precision={self.teacher_precision!r}, '
                f'teacher_channels_last={self.teacher_channels_last}')


_TEACHER_PRECISIONS = {'fp32': None, 'fp16': torch.float16, 'bf16': torch.bfloat16}


@contextmanager
def _recording(module, method_name):
    """Records the arguments and the ``labels`` target of one method call of ``module``."""
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
        delattr(module, method_name)  # the class's method shows through again


def _snake(name):
    return re.sub(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])', '_', name).lower()


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


def _check_two_stage(who, model_args):
    missing = [key for key in ('rpn_head', 'roi_head') if model_args.get(key) is None]
    if missing:
        found = ', '.join(sorted(k for k in model_args if k.endswith('head'))) or 'no heads'
        raise TypeError(
            f'TwoStageDistiller needs a two-stage {who} detector (with rpn_head and roi_head, '
            f'e.g. Faster/Mask R-CNN); the {who} config has no {" or ".join(missing)} '
            f'(it has {found}). Single-stage detectors are not supported.')


def _check_pair(teacher, student):
    if not isinstance(teacher, TwoStageDetector) or not teacher.with_rpn:
        raise TypeError(f'TwoStageDistiller needs a two-stage teacher (Faster/Mask R-CNN); '
                        f'teacher_config builds a {type(teacher).__name__}')
    for who, model in (('student', student), ('teacher', teacher)):
        head = model.roi_head
        if not isinstance(head, StandardRoIHead) or not head.with_bbox:
            raise TypeError(f'TwoStageDistiller supports RoI heads derived from '
                            f'StandardRoIHead with a bbox head; the {who} has '
                            f'{type(head).__name__}')
    classes = (student.roi_head.bbox_head.num_classes, teacher.roi_head.bbox_head.num_classes)
    if classes[0] != classes[1]:
        raise ValueError(f'teacher and student must classify the same classes: the student\'s '
                         f'roi_head.bbox_head.num_classes is {classes[0]}, the teacher\'s '
                         f'{classes[1]}')


def _read_state_dict(location):
    try:
        checkpoint = _load_checkpoint(location, map_location='cpu')
    except FileNotFoundError:
        raise FileNotFoundError(f'teacher_ckpt: no file at {location!r}') from None
    except Exception as error:
        if 'Refused to load checkpoint' in str(error):
            raise  # compat's refusal already says what and how to opt in
        raise RuntimeError(
            f'teacher_ckpt {location} could not be read ({type(error).__name__}: '
            f'{str(error)[:200]}). Is the file complete and a PyTorch checkpoint?') from error
    state_dict = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint,
                                                                        dict) else None
    if not isinstance(state_dict, dict):
        raise RuntimeError(f'teacher_ckpt {location} holds a {type(checkpoint).__name__}, '
                           'not a state dict')
    return {re.sub(r'^module\.', '', key): value for key, value in state_dict.items()}


def _input_converter(student_preprocessor, teacher_preprocessor):
    """Maps student-normalised images to teacher-normalised ones (identity if they agree)."""

    def normalisation(preprocessor):
        enabled = getattr(preprocessor, '_enable_normalize', False)
        mean = preprocessor.mean.flatten() if enabled else torch.zeros(3)
        std = preprocessor.std.flatten() if enabled else torch.ones(3)
        return (mean.tolist(), std.tolist(), bool(getattr(preprocessor, '_channel_conversion',
                                                          False)))

    student, teacher = normalisation(student_preprocessor), normalisation(teacher_preprocessor)
    if student == teacher:
        return lambda inputs, data_samples: inputs
    (s_mean, s_std, s_flip), (t_mean, t_std, t_flip) = student, teacher
    teacher_pad = float(getattr(teacher_preprocessor, 'pad_value', 0))

    def convert(inputs, data_samples):
        def column(values):
            return inputs.new_tensor(values).view(1, -1, 1, 1)

        images = inputs * column(s_std) + column(s_mean)  # back to 0-255 pixels
        if s_flip != t_flip:
            images = images.flip(1)  # BGR <-> RGB
        images = (images - column(t_mean)) / column(t_std)
        for image, sample in zip(images, data_samples):  # padding as the teacher pads it
            height, width = sample.img_shape[:2]
            image[:, height:, :] = teacher_pad
            image[:, :, width:] = teacher_pad
        return images

    return convert
