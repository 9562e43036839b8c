# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Train and test configs the way a user does, each in its own process (``python -m
ckd_mmdet.cli train|test``, what tools/train.py and tools/test.py run), for the demo and the
benchmarks. Their MMEngine logs stream to the terminal as they run. Works from an installed
package; relative paths are read from the caller's working directory."""
import os
import re
import subprocess
import sys
from pathlib import Path


def data_root_options(root):
    """--cfg-options that point a shapes config's train/val/test data at ``root``."""
    root = str(root).rstrip('/') + '/'
    annotations = root + 'annotations/instances_val.json'
    return [f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            f'val_evaluator.ann_file={annotations}', f'test_evaluator.ann_file={annotations}']


def schedule_options(iters):
    """--cfg-options for a shapes config trained ``iters`` iterations: its linear warm-up
    (100 iterations, fewer for very short runs), then cosine to the end."""
    warmup = max(1, min(100, iters // 2))
    return [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            f'param_scheduler.0.end={warmup}', f'param_scheduler.1.begin={warmup}',
            f'param_scheduler.1.end={max(iters, warmup + 1)}',
            f'default_hooks.checkpoint.interval={iters}']


def _run(args, log_file, quiet, append=False):
    """Runs ``python -W ignore -m ckd_mmdet.cli args``, echoing and saving (``append``: adding)
    its output to ``log_file``; returns the output."""
    command = [sys.executable, '-W', 'ignore', '-m', 'ckd_mmdet.cli', *map(str, args)]
    lines = []
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, 'PYTHONUNBUFFERED': '1'}  # a pipe would buffer the progress
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, env=env) as process, \
            open(log_file, 'a' if append else 'w', buffering=1) as log:  # lines survive a kill
        for line in process.stdout:
            lines.append(line)
            log.write(line)
            if not quiet:
                print(line, end='', flush=True)
    if process.returncode != 0:
        tail = ''.join(lines[-40:])
        raise RuntimeError(f'{" ".join(command)} failed (exit {process.returncode}); '
                           f'log: {log_file}\n{tail}')
    return ''.join(lines)


def _cfg_options(options):
    return ['--cfg-options', *options] if options else []


def train(config, work_dir, options=(), quiet=False, checkpoint_every=None):
    """Trains ``config`` (as tools/train.py does); returns the last checkpoint's path.

    ``checkpoint_every``: also save a checkpoint every that many iterations (only the newest
    is kept), and continue a run killed in ``work_dir`` from its newest one (``--resume``)
    instead of starting again; with ResumeRandomStateHook (every shipped config has it) the
    continued run ends bit-identical to one never stopped."""
    work_dir = Path(work_dir).resolve()
    resume = []
    if checkpoint_every:
        options = [*options, f'default_hooks.checkpoint.interval={checkpoint_every}',
                   'default_hooks.checkpoint.max_keep_ckpts=1']
        if any(work_dir.glob('iter_*.pth')):
            resume = ['--resume']
            print(f'resuming the run in {work_dir}', flush=True)
    _run(['train', config, '--work-dir', work_dir, *resume, *_cfg_options(options)],
         work_dir / 'train.log', quiet, append=bool(resume))
    return Path((work_dir / 'last_checkpoint').read_text().strip())


def test(config, checkpoint, work_dir, options=(), quiet=False):
    """Tests ``checkpoint`` with ``config`` (as tools/test.py does); returns the COCO bbox mAP
    in percent."""
    work_dir = Path(work_dir).resolve()
    output = _run(['test', config, Path(checkpoint).resolve(),
                   '--work-dir', work_dir, *_cfg_options(options)], work_dir / 'test.log', quiet)
    found = re.findall(r'coco/bbox_mAP: (-?\d+\.\d+)', output)
    if not found and 'testing results of the whole dataset is empty' in output:
        return 0.0  # not a single detection above the score threshold
    if not found:
        raise RuntimeError(f'no coco/bbox_mAP in the output of the test; log: '
                           f'{work_dir / "test.log"}')
    return 100 * float(found[-1])
