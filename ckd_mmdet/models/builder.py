# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Builds a loss from a config with errors that name the key and the fix."""
import difflib
import inspect
import sys

from mmdet.registry import MODELS


def _registered_loss_names():
    registries = [MODELS, MODELS.parent]
    if 'mmrazor.registry' in sys.modules:
        registries.append(sys.modules['mmrazor.registry'].MODELS)
    names = set()
    for registry in registries:
        prefix = '' if registry.scope in ('mmdet', 'mmengine') else registry.scope + '.'
        names.update(prefix + name for name in registry.module_dict
                     if 'Loss' in name or 'Divergence' in name)
    return sorted(names)


def build_loss(cfg, key):
    """``MODELS.build(cfg)`` for the config found under ``key`` of the model config."""
    loss_type = cfg.get('type') if isinstance(cfg, dict) else None
    if loss_type is None:
        raise TypeError(f'{key} must be a loss config dict with a "type", got {cfg!r}')
    if isinstance(loss_type, str) and MODELS.get(loss_type) is None:
        names = _registered_loss_names()
        close = difflib.get_close_matches(loss_type, names, n=3, cutoff=0.6)
        hint = f'did you mean {" or ".join(map(repr, close))}? ' if close else ''
        raise ValueError(
            f'{key}: loss type {loss_type!r} is not registered; {hint}Losses of other '
            'packages need their scope (e.g. "mmrazor.DKDLoss"); your own need their module '
            f'in custom_imports. Registered: {", ".join(names)}')
    try:
        return MODELS.build(cfg)
    except TypeError as error:
        if 'argument' not in str(error):
            raise
        loss_class = MODELS.get(loss_type) if isinstance(loss_type, str) else loss_type
        accepted = list(inspect.signature(loss_class.__init__).parameters)[1:]
        raise TypeError(f'{key} ({loss_class.__name__}): {error}; it accepts '
                        f'{", ".join(accepted)}') from error
