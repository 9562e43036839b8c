# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Loading a distillation checkpoint into the plain student, quietly and on purpose."""
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

# Tensors a distiller trains beside the student and saves with it (the feature connector):
# needed to resume distillation, meaningless to the student alone.
DISTILLATION_PREFIXES = ('feature_distill.',)


@HOOKS.register_module()
class DropDistillationKeysHook(Hook):
    """Drops the distillation-only tensors (``feature_distill.*``) of a loaded checkpoint
    when the model has none, with one log line, before MMEngine loads it.

    Without it, testing a ReviewCKD checkpoint with the plain student config works but
    MMEngine warns about every connector tensor as an unexpected key. A distiller model has
    those keys, so resuming distillation restores them as usual. Every shipped config gets
    the hook from ``configs/_base_/ckd_runtime.py``.
    """

    priority = 'VERY_HIGH'

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state_dict = checkpoint.get('state_dict')
        if not isinstance(state_dict, dict):
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        own = model.state_dict().keys()
        dropped = [key for key in state_dict
                   if key.startswith(DISTILLATION_PREFIXES) and key not in own]
        for key in dropped:
            del state_dict[key]
        if dropped:
            prefixes = sorted({key.split('.')[0] + '.*' for key in dropped})
            print_log(f'{len(dropped)} distillation-only tensors of the checkpoint '
                      f'({", ".join(prefixes)}) are not part of the plain student and were '
                      'skipped', logger='current')
