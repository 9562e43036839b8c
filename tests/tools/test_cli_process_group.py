"""The tools leave no process group behind: after a --launcher pytorch run on the CPU, gloo's
worker threads are gone before the interpreter exits (a worker still alive then can abort the
process after a successful run)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import free_port

SCRIPT = '''
import os

from helpers import toy_regression
from mmengine.config import Config

from ckd_mmdet.cli import run

toy_regression()
cfg = Config(dict(
    model=dict(type='ToyRegression'), work_dir=os.environ['WORK_DIR'], launcher='pytorch',
    train_dataloader=dict(dataset=dict(type='ToyPoints'), batch_size=2, num_workers=0,
                          sampler=dict(type='DefaultSampler', shuffle=False),
                          collate_fn=dict(type='default_collate')),
    train_cfg=dict(by_epoch=False, max_iters=2), default_scope='mmengine',
    optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1))))
wrappers = []
run(cfg, lambda runner: (runner.train(), wrappers.append(type(runner.model).__name__)))
threads = sorted(open(f'/proc/self/task/{task}/comm').read().strip()
                 for task in os.listdir('/proc/self/task'))
print('wrapped in', wrappers, 'threads left', threads)
'''


@pytest.mark.slow  # a fresh interpreter
@pytest.mark.skipif(not os.path.isdir('/proc/self/task'), reason='reads threads from /proc')
def test_gloo_worker_threads_are_joined_when_the_run_ends(tmp_path):
    env = {**os.environ, 'RANK': '0', 'LOCAL_RANK': '0', 'WORLD_SIZE': '1',
           'MASTER_ADDR': '127.0.0.1', 'MASTER_PORT': str(free_port()),
           'WORK_DIR': str(tmp_path), 'CUDA_VISIBLE_DEVICES': '',
           'PYTHONPATH': os.pathsep.join([str(Path(__file__).parents[1]),
                                          os.environ.get('PYTHONPATH', '')])}
    result = subprocess.run([sys.executable, '-W', 'ignore', '-c', SCRIPT], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = result.stdout.strip().splitlines()[-1]
    assert "wrapped in ['MMDistributedDataParallel']" in line  # a real DDP run
    assert 'gloo' not in line, line  # pt_gloo_runloop / gloo_tcp_loop threads joined
