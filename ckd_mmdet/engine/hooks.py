# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Hooks that make a resumed run continue the interrupted one exactly."""
import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class ResumeRandomStateHook(Hook):
    """Saves torch's random state with every checkpoint and restores it on resume.

    MMEngine re-seeds a resumed run from the start and replays the data loader up to the
    checkpoint's iteration. That replay re-creates the data pipeline's random streams exactly
    (numpy/random in the main process, per-worker seeds in workers), but not torch's global
    stream, which the model consumes (the RPN and RoI samplers draw from it every
    iteration). With this hook the iterations after a resume draw what the uninterrupted run
    drew, so a deterministic run resumed from iteration k ends bit-identical to one never
    stopped. One exception: a validation at the very checkpoint iteration draws from torch's
    stream after the state was saved.

    Every shipped config gets it from ``configs/_base_/ckd_runtime.py``; add
    ``custom_hooks = [dict(type='ResumeRandomStateHook')]`` to your own.
    """

    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._state = None  # loaded from a checkpoint, waiting for before_train

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = {'cpu': torch.get_rng_state()}
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state['cuda'] = torch.cuda.get_rng_state_all()
        checkpoint.setdefault('meta', {})['torch_rng_state'] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        # Applied in before_train: a resume re-seeds after loading when the seeds differ.
        self._state = checkpoint.get('meta', {}).get('torch_rng_state')

    def before_train(self, runner) -> None:
        state, self._state = self._state, None
        if state is None or runner.iter == 0:  # nothing saved, or load_from (a new run)
            return
        torch.set_rng_state(state['cpu'])
        if 'cuda' in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])
