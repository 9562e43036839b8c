import itertools
import os

import pytest
import torch
from helpers import TEACHER_CONFIG, make_shapes

# Under pytest-xdist (`make test` runs one worker per core) each worker, and every tool it
# starts as a subprocess, gets its share of the cores: two workers of two threads each on a
# 2-core machine fight over the cores and run several times slower than one thread each.
_WORKERS = int(os.environ.get('PYTEST_XDIST_WORKER_COUNT', '1'))
if _WORKERS > 1:
    _THREADS = max(1, (os.cpu_count() or 1) // _WORKERS)
    os.environ['OMP_NUM_THREADS'] = str(_THREADS)
    torch.set_num_threads(_THREADS)


_RESTORED = itertools.count()


@pytest.fixture(autouse=True)
def _default_scope_left_as_found():
    """A test that builds a Runner makes the Runner's default scope MMEngine's current one
    ('mmengine' in the bridges' tests), and mmdet's registries then build from it: the next
    test of the same process failed with "SingleStageDistiller is not in the mmengine::model
    registry", depending on how pytest-xdist happened to share out the tests. Every test
    leaves the current default scope as it found it."""
    from mmengine.registry import DefaultScope
    before = DefaultScope.get_current_instance()
    yield
    after = DefaultScope.get_current_instance()
    if before is not None and after is not before:
        # a new name: get_instance makes only a newly created instance the current one
        DefaultScope.get_instance(f'restored-{next(_RESTORED)}', scope_name=before.scope_name)


@pytest.fixture(scope='session')
def shapes_root(tmp_path_factory):
    return make_shapes(tmp_path_factory.mktemp('shapes'))


@pytest.fixture(scope='session')
def teacher_ckpt(tmp_path_factory):
    """A checkpoint of the tiny R-34 teacher (random weights, fixed seed)."""
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config

    register_all_modules()
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(str(TEACHER_CONFIG)).model)
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict(), meta=dict(note='tiny test teacher')), path)
    return path
