# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Crash-safe checkpoints (mmengine 0.10.7).

``LocalBackend.put`` writes checkpoints in place, so a kill while saving leaves a truncated
``iter_N.pth``; ``last_checkpoint`` is rewritten the same way, and a kill between truncating
and writing it leaves it empty, so ``--resume`` fails. This bridge writes every local file to
a temporary name in the same folder and renames it into place (atomic on POSIX), and lets an
empty or dangling ``last_checkpoint`` fall back to the newest complete checkpoint of the
folder.

Applied while ``LocalBackend.put`` writes in place (no rename in its source); the upstream
method stays reachable as ``__wrapped__``.
"""
import glob
import inspect
import os
import os.path as osp
import re


def _atomic_put(original_put):

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
    return put


def _falling_back(original_find):

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

    return find_latest_checkpoint


def apply() -> None:
    from mmengine.fileio.backends import local_backend
    from mmengine.runner import checkpoint, runner

    upstream_put = local_backend.LocalBackend.put
    if getattr(upstream_put, '_ckd_atomic', False) or re.search(
            r'os\.(replace|rename)', inspect.getsource(upstream_put)):  # done, or fixed upstream
        return
    local_backend.LocalBackend.put = _atomic_put(upstream_put)
    find = _falling_back(checkpoint.find_latest_checkpoint)
    checkpoint.find_latest_checkpoint = find
    runner.find_latest_checkpoint = find  # imported by name there
