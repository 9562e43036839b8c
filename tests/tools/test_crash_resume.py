"""A distillation run killed with SIGKILL and resumed ends exactly where an uninterrupted one
does: same iteration count and bit-identical final weights (the strongest check; it holds on
CPU because tools/train.py --deterministic fixes the seed and the algorithms, and
ResumeRandomStateHook restores torch's random stream, which the RoI samplers draw from)."""
import os
import signal
import subprocess
import sys

import pytest
from helpers import DISTILL_CONFIG, REPO, assert_same_weights, kill_when_saved
from helpers import checkpoint_weights as weights

from ckd_mmdet.runs import data_root_options

pytestmark = pytest.mark.slow  # tools in subprocesses, end to end

TRAIN = str(REPO / 'tools' / 'train.py')
ITERS = 6


def train_command(work_dir, teacher_ckpt, shapes_root, *extra):
    return ['-W', 'ignore', TRAIN, str(DISTILL_CONFIG), '--work-dir', str(work_dir),
            '--deterministic', *extra, '--cfg-options', f'model.teacher_ckpt={teacher_ckpt}',
            f'train_cfg.max_iters={ITERS}', f'train_cfg.val_interval={ITERS}',
            'default_hooks.checkpoint.interval=1', *data_root_options(shapes_root)]


def run(args, timeout=600):
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                            timeout=timeout, env={**os.environ, 'PYTHONHASHSEED': '0'})
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout + result.stderr


@pytest.fixture(scope='module')
def uninterrupted(tmp_path_factory, teacher_ckpt, shapes_root):
    work_dir = tmp_path_factory.mktemp('uninterrupted')
    run(train_command(work_dir, teacher_ckpt, shapes_root))
    return weights(work_dir / f'iter_{ITERS}.pth')


def test_sigkill_mid_run_then_resume_ends_bit_identical(tmp_path, teacher_ckpt, shapes_root,
                                                        uninterrupted):
    process = subprocess.Popen([sys.executable, *train_command(tmp_path, teacher_ckpt,
                                                               shapes_root)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when_saved(process, tmp_path / 'iter_3.pth')
    saved = sorted(p.name for p in tmp_path.glob('iter_*.pth'))
    assert f'iter_{ITERS}.pth' not in saved

    log = run(train_command(tmp_path, teacher_ckpt, shapes_root, '--resume'))
    assert 'resumed from the latest checkpoint' in log or 'Auto resumed from' in log
    assert f'teacher weights loaded from {teacher_ckpt}' in log
    assert f'Iter(train) [{ITERS}/{ITERS}]' in log and 'Iter(train) [1/' not in log
    assert_same_weights(weights(tmp_path / f'iter_{ITERS}.pth'), uninterrupted)


def test_kill_while_saving_keeps_the_previous_checkpoint(tmp_path, teacher_ckpt, shapes_root,
                                                         uninterrupted):
    # The process kills itself half way through writing iter_4.pth (after the bytes, before
    # the file is complete on disk): the worst moment for a checkpoint.
    dying = ('import os, runpy, signal, sys\n'
             'real_fsync = os.fsync\n'
             'def fsync(fd):\n'
             "    if 'iter_4.pth' in os.readlink(f'/proc/self/fd/{fd}'):\n"
             '        os.kill(os.getpid(), signal.SIGKILL)\n'
             '    real_fsync(fd)\n'
             'os.fsync = fsync\n'
             'sys.argv = sys.argv[1:]\n'
             "runpy.run_path(sys.argv[0], run_name='__main__')\n")
    command = train_command(tmp_path, teacher_ckpt, shapes_root)
    result = subprocess.run([sys.executable, '-W', 'ignore', '-c', dying, *command[2:]],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == -signal.SIGKILL, result.stderr[-3000:]
    assert not (tmp_path / 'iter_4.pth').exists()  # never visible half-written
    assert (tmp_path / 'last_checkpoint').read_text().strip().endswith('iter_3.pth')
    weights(tmp_path / 'iter_3.pth')  # complete and loadable

    log = run(train_command(tmp_path, teacher_ckpt, shapes_root, '--resume'))
    assert 'Iter(train) [4/' in log and 'Iter(train) [3/' not in log
    assert_same_weights(weights(tmp_path / f'iter_{ITERS}.pth'), uninterrupted)
    assert not list(tmp_path.glob('.*.part')), 'a partial file was left behind'
