# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""``import mmrazor.models`` on torch 2.x (mmrazor 1.0.0).

mmrazor's quantization module imports ``reverse2``/``reverse3``/``reverse_sequential_wrapper2``
from ``torch.ao.quantization.fuser_method_mappings`` (now private or gone), reads
``torch.ao.quantization.backend_config.utils`` without importing it, and calls three removed
private ``BackendPatternConfig`` setters. This bridge restores the names and makes the setters
no-ops. Only mmrazor's quantization algorithms would notice; distillation does not touch them.

Applied when mmrazor is installed and a name is missing; nothing is imported from mmrazor.
"""
from importlib.util import find_spec

_SETTERS = ('_set_overwrite_output_fake_quantize', '_set_overwrite_output_observer',
            '_set_input_output_observed')


def apply() -> None:
    if find_spec('mmrazor') is None:
        return
    import torch.ao.quantization.backend_config.utils  # noqa: F401  (read, never imported)
    from torch.ao.quantization import fuser_method_mappings as fusers
    from torch.ao.quantization.backend_config import BackendPatternConfig

    if not hasattr(fusers, 'reverse2') and hasattr(fusers, '_reverse2'):
        fusers.reverse2 = fusers._reverse2
    if not hasattr(fusers, 'reverse3') and hasattr(fusers, '_reverse3'):
        fusers.reverse3 = fusers._reverse3
    if not hasattr(fusers, 'reverse_sequential_wrapper2') and hasattr(fusers, '_reverse2'):
        fusers.reverse_sequential_wrapper2 = (
            lambda sequential: fusers._reverse2(fusers._sequential_wrapper2(sequential)))
    for setter in _SETTERS:
        if not hasattr(BackendPatternConfig, setter):
            setattr(BackendPatternConfig, setter, lambda self, *args, **kwargs: self)
