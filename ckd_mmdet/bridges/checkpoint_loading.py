# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Runner checkpoints on torch >= 2.6 (mmengine 0.10.7).

``torch.load`` defaults to ``weights_only=True`` since torch 2.6 and mmengine's loader does
not say otherwise, so the Runner's own checkpoints (``HistoryBuffer`` and numpy arrays in the
message hub, numpy scalars in ``meta``) are refused: resume, ``load_from`` and teacher
checkpoints break. This bridge allow-lists exactly those inert types (``getattr`` only for
``HistoryBuffer``'s own methods). Checkpoints fetched by URL went through ``torch.hub`` with
``weights_only=False``; they get the same allow-list. A file that pickles any other object is
refused with an error naming the object and the opt-in for a file you trust
(``CKD_MMDET_TRUSTED_CHECKPOINTS``); a file that is not a checkpoint at all keeps torch's own
error, so that callers can say it is unreadable.

Applied when mmengine's loader does not pass ``weights_only`` itself and torch has
``add_safe_globals`` (2.4+).
"""
import inspect
import os
import os.path as osp
import pickle
import re

import torch

TRUSTED_CHECKPOINTS_ENV = 'CKD_MMDET_TRUSTED_CHECKPOINTS'

# How torch's weights-only unpickler names an object it will not create (a real refusal of a
# real pickle). Anything else it raises ("Unsupported operand 60": not a pickle) is not.
_REFUSALS = re.compile(
    r'Unsupported global: GLOBAL (?P<a>\S+)|unsupported GLOBAL (?P<b>\S+)'
    r'|reduce for unrecognized function (?P<c>.+?)(?: which|$)'
    r'|Can only (?:create new object|build)[^\n]* but got (?P<d>.+?)$', re.MULTILINE)


def _history_buffer_method(owner, name):
    """Stands in for ``getattr`` while unpickling, for HistoryBuffer's methods only.

    A HistoryBuffer pickles its statistics methods as ``getattr(HistoryBuffer, 'mean')``;
    allowing ``getattr`` itself would let a checkpoint reach any attribute of an allow-listed
    object (``__init__.__globals__`` and from there ``eval``).
    """
    from mmengine.logging import HistoryBuffer

    if owner is HistoryBuffer and not name.startswith('_') and inspect.isfunction(
            vars(HistoryBuffer).get(name)):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'Unsupported global: GLOBAL builtins.getattr({owner!r}, {name!r}) is not allowed')


def runner_checkpoint_globals():
    """The non-tensor objects MMEngine's Runner writes into a checkpoint (all inert data)."""
    import numpy as np
    from mmengine.logging import HistoryBuffer

    multiarray = (getattr(np, '_core', None) or np.core).multiarray
    scalar_types = [np.dtype(code).type for code in '?bhilqBHILQefdgFDG']
    dtype_classes = [type(np.dtype(t)) for t in scalar_types]
    return [HistoryBuffer, (_history_buffer_method, 'builtins.getattr'), np.ndarray, np.dtype,
            multiarray._reconstruct, multiarray.scalar, *scalar_types, *dtype_classes]


class CheckpointRefusedError(pickle.UnpicklingError):
    """A checkpoint pickles an object that ``weights_only`` loading will not create."""


def _is_trusted(location):
    """Whether the user listed this path or URL in CKD_MMDET_TRUSTED_CHECKPOINTS."""

    def canonical(entry):
        return entry if '://' in entry else osp.realpath(osp.expanduser(entry))

    entries = os.environ.get(TRUSTED_CHECKPOINTS_ENV, '').split(',')
    return canonical(location) in {canonical(e.strip()) for e in entries if e.strip()}


def _explain_refusal(location, load):
    """Calls ``load()``; a weights_only refusal of an object becomes a
    ``CheckpointRefusedError`` that says how to opt in. Other errors pass unchanged."""
    try:
        return load()
    except pickle.UnpicklingError as error:
        found = _REFUSALS.search(str(error))
        if found is None:
            raise  # not a refusal: a truncated file, a text file, not a pickle at all
        what = next(group for group in found.groups() if group)
        raise CheckpointRefusedError(
            f'Refused to load checkpoint {location}: it pickles `{what}`, which torch.load('
            'weights_only=True) will not unpickle, because unpickling arbitrary objects can '
            'run code. Checkpoints written by MMEngine/MMDetection never need this. If you '
            f'trust this file, set {TRUSTED_CHECKPOINTS_ENV}={location} (several paths or '
            'URLs joined by ",") to load it with weights_only=False, or allow-list the type '
            'with torch.serialization.add_safe_globals([...]) in a module named in '
            'custom_imports.') from error


def apply() -> None:
    from mmengine.runner import checkpoint as mmengine_checkpoint

    upstream_load_from_local = mmengine_checkpoint.load_from_local
    upstream_load_url = mmengine_checkpoint.load_url
    if (not hasattr(torch.serialization, 'add_safe_globals')  # torch < 2.4: no weights_only
            or getattr(upstream_load_from_local, '_ckd_mmdet_bridge', False)  # done already
            or 'weights_only' in inspect.getsource(upstream_load_from_local)):  # fixed upstream
        return
    torch.serialization.add_safe_globals(runner_checkpoint_globals())

    def load_from_local(filename, map_location):
        if _is_trusted(filename):
            return torch.load(osp.expanduser(filename), map_location=map_location,
                              weights_only=False)
        return _explain_refusal(filename, lambda: upstream_load_from_local(filename,
                                                                           map_location))

    def load_url(url, *args, **kwargs):
        # torch.hub defaults to weights_only=False: any URL would be unpickled blindly.
        kwargs['weights_only'] = not _is_trusted(url)
        return _explain_refusal(url, lambda: upstream_load_url(url, *args, **kwargs))

    load_from_local._ckd_mmdet_bridge = True
    mmengine_checkpoint.CheckpointLoader.register_scheme('', load_from_local, force=True)
    mmengine_checkpoint.load_from_local = load_from_local
    if 'weights_only' in inspect.signature(upstream_load_url).parameters:
        mmengine_checkpoint.load_url = load_url  # what load_from_http (http, zoo URLs) calls
