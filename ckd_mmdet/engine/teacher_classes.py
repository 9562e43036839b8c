# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Stopping a distillation whose teacher was trained on another class order."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class TeacherClassesHook(Hook):
    """Before the first iteration, compares the class names the teacher checkpoint carries
    (mmdet's ``meta.dataset_meta.classes``, or mmdet 2's ``meta.CLASSES``) with the training
    set's, order included, and stops the run with an error naming the first class that
    differs. A teacher trained with another class order gives well-formed logits whose
    columns mean other classes: training would run and teach the wrong thing. When the
    checkpoint carries no class names, one log line says the order could not be checked.

    Does nothing for a model without a teacher (a plain student config). Every shipped
    config gets it from ``configs/_base_/ckd_runtime.py``; add
    ``dict(type='TeacherClassesHook')`` to the ``custom_hooks`` of your own.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, 'check_teacher_classes'):
            return
        metainfo = getattr(runner.train_dataloader.dataset, 'metainfo', None) or {}
        model.check_teacher_classes(metainfo.get('classes'))
