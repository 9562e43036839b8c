"""The tools leave no process group behind: after a --launcher pytorch run on the CPU, gloo's
worker threads are gone before the interpreter exits (a worker still alive then can abort the
process after a successful run)."""
import os
import socket
import subprocess
import sys

import pytest

SCRIPT = '''
import os
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.registry import DATASETS, MODELS

from ckd_mmdet.cli import run


@MODELS.register_module()
class TinyRegression(BaseModel):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, inputs, targets, mode='tensor'):
        loss = ((self.linear(torch.stack(inputs)).squeeze(1) - torch.stack(targets)) ** 2)
        return dict(loss=loss.mean())


@DATASETS.register_module()
class TinyPoints(torch.utils.data.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, index):
        x = torch.tensor([index / 8, 1.0])
        return dict(inputs=x, targets=x.sum())


cfg = Config(dict(
    model=dict(type='TinyRegression'), work_dir=os.environ['WORK_DIR'], launcher='pytorch',
    train_dataloader=dict(dataset=dict(type='TinyPoints'), batch_size=2, num_workers=0,
                          sampler=dict(type='DefaultSampler', shuffle=False)),
    train_cfg=dict(by_epoch=False, max_iters=2), default_scope='mmengine',
    optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1))))
wrappers = []
run(cfg, lambda runner: (runner.train(), wrappers.append(type(runner.model).__name__)))
threads = sorted(open(f'/proc/self/task/{task}/comm').read().strip()
                 for task in os.listdir('/proc/self/task'))
print('wrapped in', wrappers, 'threads left', threads)
'''


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.slow  # a fresh interpreter
@pytest.mark.skipif(not os.path.isdir('/proc/self/task'), reason='reads threads from /proc')
def test_gloo_worker_threads_are_joined_when_the_run_ends(tmp_path):
    env = {**os.environ, 'RANK': '0', 'LOCAL_RANK': '0', 'WORLD_SIZE': '1',
           'MASTER_ADDR': '127.0.0.1', 'MASTER_PORT': str(free_port()),
           'WORK_DIR': str(tmp_path), 'CUDA_VISIBLE_DEVICES': ''}
    result = subprocess.run([sys.executable, '-W', 'ignore', '-c', SCRIPT], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = result.stdout.strip().splitlines()[-1]
    assert "wrapped in ['MMDistributedDataParallel']" in line  # a real DDP run
    assert 'gloo' not in line, line  # pt_gloo_runloop / gloo_tcp_loop threads joined
