# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Bridges for known bugs of the pinned upstream stack on torch 2.x.

``ckd_mmdet/__init__.py`` imports this module first, so a config's
``custom_imports=dict(imports=['ckd_mmdet'])`` applies it before anything is built. Each
bridge first checks that the problem it works around is still there and does nothing
otherwise; none of them edits site-packages.

1. Checkpoints (mmengine 0.10.7 on torch >= 2.6). ``torch.load`` now defaults to
   ``weights_only=True`` and mmengine does not say otherwise, so the Runner's own checkpoints
   (``HistoryBuffer`` and numpy arrays in the message hub, numpy scalars in ``meta``) are
   refused: resume, ``load_from`` and teacher checkpoints break. The bridge allow-lists exactly
   those safe types; anything else stays refused, with an error saying how to opt in for a
   file you trust (``CKD_MMDET_TRUSTED_CHECKPOINTS``). Checkpoints fetched by URL (teacher
   checkpoints, ``torchvision://``, ``open-mmlab://``) went through ``torch.hub`` with
   ``weights_only=False``; they now get the same allow-list and the same opt-in.
2. ``import mmrazor.models`` (mmrazor 1.0.0 on torch >= 2.0). Its quantization module imports
   ``reverse2``/``reverse3``/``reverse_sequential_wrapper2`` (now private or gone), reads
   ``torch.ao.quantization.backend_config.utils`` without importing it, and calls three
   removed private ``BackendPatternConfig`` setters. The bridge restores the names and makes
   the setters no-ops. Only mmrazor's quantization algorithms would notice; distillation,
   which is what this package uses, does not touch them.
3. Distributed launch without GPUs (mmengine 0.10.7): ``prepare_cpu_distributed(cfg)``, which
   the tools call, starts a gloo process group itself because mmengine's launcher calls
   ``torch.cuda.set_device`` unconditionally.
4. Crash-safe checkpoints (mmengine 0.10.7). ``LocalBackend.put`` writes checkpoints in place,
   so a kill while saving leaves a truncated ``iter_N.pth``, and ``last_checkpoint`` is
   rewritten the same way: killed between truncating and writing it, it is empty and
   ``--resume`` fails. The bridge writes every local file to a temporary name in the same
   folder and renames it into place (atomic on POSIX), and lets an empty or dangling
   ``last_checkpoint`` fall back to the newest complete checkpoint of the folder.
"""
import glob
import inspect
import os
import os.path as osp
import pickle
import re
from importlib.util import find_spec

import torch

TRUSTED_CHECKPOINTS_ENV = 'CKD_MMDET_TRUSTED_CHECKPOINTS'


# --- 1. checkpoints ------------------------------------------------------------------------

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


def _is_trusted(location):
    """Whether the user listed this path or URL in CKD_MMDET_TRUSTED_CHECKPOINTS."""

    def canonical(entry):
        return entry if '://' in entry else osp.realpath(osp.expanduser(entry))

    entries = os.environ.get(TRUSTED_CHECKPOINTS_ENV, '').split(',')
    return canonical(location) in {canonical(e.strip()) for e in entries if e.strip()}


def _explain_refusal(location, load):
    """Calls ``load()``; a weights_only refusal becomes an error that says how to opt in."""
    try:
        return load()
    except pickle.UnpicklingError as error:
        found = re.search(r'GLOBAL (\S+)', str(error))
        what = f'`{found.group(1)}`' if found else 'an object that is not plain data'
        raise pickle.UnpicklingError(
            f'Refused to load checkpoint {location}: it pickles {what}, which torch.load('
            'weights_only=True) will not unpickle, because unpickling arbitrary objects can '
            'run code. Checkpoints written by MMEngine/MMDetection never need this. If you '
            f'trust this file, set {TRUSTED_CHECKPOINTS_ENV}={location} (several paths or '
            'URLs joined by ",") to load it with weights_only=False, or allow-list the type '
            'with torch.serialization.add_safe_globals([...]) in a module named in '
            'custom_imports.') from error


def _bridge_checkpoint_loading():
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


# --- 2. import mmrazor.models ----------------------------------------------------------------

def _bridge_mmrazor_import():
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
    for setter in ('_set_overwrite_output_fake_quantize', '_set_overwrite_output_observer',
                   '_set_input_output_observed'):
        if not hasattr(BackendPatternConfig, setter):
            setattr(BackendPatternConfig, setter, lambda self, *args, **kwargs: self)


# --- 3. distributed launch without GPUs (called by tools/train.py and tools/test.py) -------

def prepare_cpu_distributed(cfg):
    """Lets ``--launcher pytorch`` run on a machine without GPUs (CPU clusters, tests).

    mmengine 0.10.7's launcher calls ``torch.cuda.set_device`` whatever the backend and its
    DDP wrapper pins ``device_ids=[LOCAL_RANK]``; both fail without CUDA. A gloo process group
    started here makes the Runner skip its own set-up, and the wrapper gets no device ids.
    Does nothing when CUDA is available or no pytorch launcher is used.
    """
    if cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available():
        return
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper


# --- 4. crash-safe checkpoints ------------------------------------------------------------

def _bridge_atomic_checkpoints():
    from mmengine.fileio.backends import local_backend
    from mmengine.runner import checkpoint, runner

    if getattr(local_backend.LocalBackend.put, '_ckd_atomic', False):
        return
    original_put = local_backend.LocalBackend.put

    def put(self, obj, filepath):
        filepath = str(filepath)
        folder = osp.dirname(osp.abspath(filepath))
        os.makedirs(folder, exist_ok=True)
        for stale in glob.glob(osp.join(folder, f'.{glob.escape(osp.basename(filepath))}.*.part')):
            os.remove(stale)  # left by a process killed while writing this file
        partial = osp.join(folder, f'.{osp.basename(filepath)}.{os.getpid()}.part')
        try:
            with open(partial, 'wb') as file:
                file.write(obj)
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, filepath)
        finally:
            if osp.exists(partial):
                os.remove(partial)

    put._ckd_atomic = True
    put.__wrapped__ = original_put
    local_backend.LocalBackend.put = put

    original_find = checkpoint.find_latest_checkpoint

    def find_latest_checkpoint(path):
        found = original_find(path)
        if found and osp.isfile(found if osp.isabs(found) else osp.join(path, found)):
            return found
        # last_checkpoint is empty (killed while it was rewritten) or names a lost file.
        candidates = [name for name in os.listdir(path) if re.fullmatch(
            r'(iter|epoch)_\d+\.pth', name)] if osp.isdir(path) else []
        if not candidates:
            return found or None
        newest = max(candidates, key=lambda name: int(re.search(r'\d+', name).group()))
        return osp.join(path, newest)

    checkpoint.find_latest_checkpoint = find_latest_checkpoint
    runner.find_latest_checkpoint = find_latest_checkpoint  # imported by name there


_bridge_checkpoint_loading()
_bridge_mmrazor_import()
_bridge_atomic_checkpoints()
