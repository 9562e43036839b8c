# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Bridges over known bugs of the pinned upstream stack, one module per bridge.

``import ckd_mmdet`` applies them first, so a config's ``custom_imports=dict(imports=
['ckd_mmdet'])`` has them in place before anything is built. Each bridge checks that its
problem is still there and does nothing otherwise; none edits site-packages. The docstring of
each module is its one description (docs/compatibility.md lists them):

- ``checkpoint_loading``: Runner checkpoints on torch >= 2.6 (``weights_only``), with a
  clear refusal for files that pickle arbitrary objects.
- ``mmrazor_import``: ``import mmrazor.models`` on torch 2.x.
- ``atomic_checkpoints``: checkpoints written atomically; a broken ``last_checkpoint``
  falls back to the newest complete checkpoint.
"""
from . import atomic_checkpoints, checkpoint_loading, mmrazor_import

BRIDGES = (checkpoint_loading, mmrazor_import, atomic_checkpoints)


def apply_all() -> None:
    for bridge in BRIDGES:
        bridge.apply()
