# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Reading a teacher checkpoint: its weights, refused unless they fit the teacher config, and
the class names it was trained on, checked against the training set's; without one, the
random teacher's own initialisation."""
import re
from typing import List, Optional, Sequence

from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint
from torch import nn

from ...bridges.checkpoint_loading import CheckpointRefusedError


def init_without_downloads(model: nn.Module) -> None:
    """``model.init_weights()`` with every ``Pretrained`` init_cfg left out: the random
    teacher of ``teacher_ckpt=None`` (tests, smoke runs) has each parameter initialised as its
    config says (mmdet allocates some uninitialised until then: DINO's ``level_embed``, whose
    garbage gives NaN logits), and nothing is fetched."""
    def pretrained(cfg):
        return isinstance(cfg, dict) and cfg.get('type') == 'Pretrained'

    kept = []
    for module in model.modules():
        cfg = getattr(module, 'init_cfg', None)
        if pretrained(cfg) or (isinstance(cfg, list) and any(map(pretrained, cfg))):
            kept.append((module, cfg))
            module.init_cfg = None if pretrained(cfg) else [
                one for one in cfg if not pretrained(one)]
    # mmengine dumps every parameter's init info of a top-level module into the log (or the
    # terminal): the teacher's is noise beside the student's, so its dump is skipped.
    model._dump_init_info = lambda: None
    try:
        model.init_weights()
    finally:
        del model._dump_init_info
        for module, cfg in kept:
            module.init_cfg = cfg


def load_teacher_checkpoint(teacher: nn.Module, location: str) -> Optional[List[str]]:
    """Loads the weights at ``location`` (path or URL) into ``teacher``; raises, naming a few
    tensors, when they do not fit it. Returns the class names the checkpoint carries
    (mmdet 3 ``meta.dataset_meta.classes``, mmdet 2 ``meta.CLASSES``), or None."""
    checkpoint = _read(location)
    state_dict = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state_dict, dict):
        raise RuntimeError(f'teacher_ckpt {location} holds a {type(state_dict).__name__}, '
                           'not a state dict')
    state_dict = {re.sub(r'^module\.', '', key): value for key, value in state_dict.items()}
    try:
        result = teacher.load_state_dict(state_dict, strict=False)
    except RuntimeError as error:  # shape mismatches
        mismatches = re.findall(r'size mismatch for [^\n]*', str(error))
        raise ValueError(
            f'teacher_ckpt {location} does not fit teacher_config: '
            f'{len(mismatches)} tensors differ in shape, e.g. '
            + '; '.join(mismatches[:3])) from error
    if result.missing_keys or result.unexpected_keys:
        raise ValueError(
            f'teacher_ckpt {location} does not fit teacher_config: '
            f'{len(result.missing_keys)} keys of the teacher are missing from it '
            f'(e.g. {result.missing_keys[:3]}), {len(result.unexpected_keys)} of its keys '
            f'are not in the teacher (e.g. {result.unexpected_keys[:3]}). Is it the '
            'checkpoint of the model that teacher_config describes?')
    return checkpoint_classes(checkpoint)


def checkpoint_classes(checkpoint: dict) -> Optional[List[str]]:
    meta = checkpoint.get('meta')
    if not isinstance(meta, dict):
        return None
    dataset_meta = meta.get('dataset_meta')
    classes = dataset_meta.get('classes') if isinstance(dataset_meta, dict) else None
    classes = classes if classes is not None else meta.get('CLASSES')
    return None if classes is None else [str(name) for name in classes]


def check_teacher_classes(teacher_classes: Optional[Sequence[str]],
                          dataset_classes: Optional[Sequence[str]], location: str,
                          owner: str) -> None:
    """Raises when the teacher was trained on other classes or another order than the
    training set (its logits would be compared column by column with the wrong class); logs
    one line when either list is unknown."""
    if teacher_classes is None or dataset_classes is None:
        missing = ('teacher_ckpt carries no class names (meta.dataset_meta.classes)'
                   if teacher_classes is None else
                   'the training set has no metainfo classes')
        print_log(f"{owner}: {missing}, so the teacher's class order could not be checked "
                  'against the training set\'s', logger='current')
        return
    teacher_classes, dataset_classes = list(teacher_classes), list(map(str, dataset_classes))
    if teacher_classes == dataset_classes:
        return
    index = next((i for i, (t, d) in enumerate(zip(teacher_classes, dataset_classes))
                  if t != d), min(len(teacher_classes), len(dataset_classes)))

    def name(classes):
        return repr(classes[index]) if index < len(classes) else f'nothing (it has {len(classes)})'

    raise ValueError(
        f'{owner}: teacher_ckpt {location} was trained on other classes than the training set '
        f'(train_dataloader.dataset metainfo classes): class {index} is {name(teacher_classes)} '
        f'for the teacher and {name(dataset_classes)} for the training set. Teacher and '
        'student logits are compared column by column, so the order must be the same: use a '
        "teacher trained on these classes in this order, or give the dataset the teacher's "
        'order (metainfo=dict(classes=...)).')


def _read(location):
    try:
        checkpoint = _load_checkpoint(location, map_location='cpu')
    except FileNotFoundError:
        raise FileNotFoundError(f'teacher_ckpt: no file at {location!r}') from None
    except CheckpointRefusedError:
        raise  # it already says which object, and how to opt in for a trusted file
    except Exception as error:
        raise RuntimeError(
            f'teacher_ckpt {location} could not be read ({type(error).__name__}: '
            f'{str(error)[:200]}). Is the file complete and a PyTorch checkpoint?') from error
    if not isinstance(checkpoint, dict):
        raise RuntimeError(f'teacher_ckpt {location} holds a {type(checkpoint).__name__}, '
                           'not a state dict')
    return checkpoint
