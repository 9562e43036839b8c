"""The atomic_checkpoints bridge: no half-written checkpoint, a broken last_checkpoint falls
back to the newest complete one."""
import os

import pytest


def test_checkpoint_files_are_written_atomically(tmp_path, monkeypatch):
    from mmengine.fileio.backends import LocalBackend

    target = tmp_path / 'iter_2.pth'
    (tmp_path / '.iter_2.pth.999.part').write_bytes(b'left by a killed process')

    def die(fd):
        raise KeyboardInterrupt  # interrupted after the bytes, before the rename

    monkeypatch.setattr(os, 'fsync', die)
    with pytest.raises(KeyboardInterrupt):
        LocalBackend().put(b'new', target)
    assert not target.exists() and not list(tmp_path.glob('.*.part'))
    monkeypatch.undo()
    LocalBackend().put(b'complete', target)
    assert target.read_bytes() == b'complete' and not list(tmp_path.glob('.*.part'))


def test_empty_or_dangling_last_checkpoint_falls_back_to_the_newest(tmp_path):
    from mmengine.runner import runner
    from mmengine.runner.checkpoint import find_latest_checkpoint

    assert runner.find_latest_checkpoint is find_latest_checkpoint  # what Runner.resume calls
    for name in ('iter_2.pth', 'iter_10.pth', 'iter_9.pth'):
        (tmp_path / name).write_bytes(b'x')
    last = tmp_path / 'last_checkpoint'
    last.write_text(str(tmp_path / 'iter_9.pth'))
    assert find_latest_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_9.pth')
    last.write_text('')  # killed between truncating and writing it
    assert find_latest_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_10.pth')
    last.write_text(str(tmp_path / 'iter_11.pth'))  # deleted by hand
    assert find_latest_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_10.pth')
    assert find_latest_checkpoint(str(tmp_path / 'missing')) is None


def test_applying_twice_wraps_once():
    from mmengine.fileio.backends import LocalBackend

    from ckd_mmdet.bridges import atomic_checkpoints

    before = LocalBackend.put
    atomic_checkpoints.apply()
    assert LocalBackend.put is before and not getattr(before.__wrapped__, '_ckd_atomic', False)
