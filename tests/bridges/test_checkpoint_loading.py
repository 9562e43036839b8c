"""The checkpoint_loading bridge, through the upstream code paths that need it."""
import pickle

import numpy as np
import pytest
import torch
import torch.nn as nn
from helpers import toy_regression
from mmengine.hooks import Hook
from mmengine.runner import Runner, load_checkpoint
from mmengine.runner.checkpoint import load_from_http

from ckd_mmdet.bridges.checkpoint_loading import TRUSTED_CHECKPOINTS_ENV, CheckpointRefusedError


RegressionModel, Points = toy_regression()


class NumpyMetaHook(Hook):
    """Stores numpy values where hooks of the wild do (CheckpointHook's best score, etc.)."""

    def before_save_checkpoint(self, runner, checkpoint):
        checkpoint['meta']['best_score'] = np.float64(0.5)
        checkpoint['meta']['counts'] = np.arange(3, dtype=np.int64)


def make_runner(work_dir, max_iters, resume=False):
    return Runner(
        model=RegressionModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(dataset=Points(), batch_size=2, num_workers=0,
                              sampler=dict(type='DefaultSampler', shuffle=True),
                              collate_fn=dict(type='default_collate')),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', milestones=[1], by_epoch=False),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1, by_epoch=False)),
        custom_hooks=[NumpyMetaHook()],
        randomness=dict(seed=0),
        resume=resume,
        default_scope='mmengine',
    )


def test_runner_trains_saves_and_resumes(tmp_path):
    first = make_runner(tmp_path, max_iters=2)
    first.train()
    trained = {k: v.clone() for k, v in first.model.state_dict().items()}

    resumed = make_runner(tmp_path, max_iters=3, resume=True)
    resumed.load_or_resume()  # the step that raised UnpicklingError without the bridge
    assert resumed.iter == 2
    for key, value in resumed.model.state_dict().items():
        assert torch.equal(value, trained[key]), key
    assert resumed.optim_wrapper.optimizer.state_dict()['state'], 'momentum not restored'
    assert resumed.message_hub.get_scalar('train/loss').current() > 0
    resumed.train()
    assert resumed.iter == 3
    checkpoint = load_checkpoint(resumed.model, str(tmp_path / 'iter_3.pth'))
    assert checkpoint['meta']['best_score'] == 0.5


class RunsCode:
    """Unpickling this calls a function: the kind of object weights_only must refuse."""

    executed = False

    def __reduce__(self):
        return (_mark_executed, ())


def _mark_executed():
    RunsCode.executed = True
    return 'ran'


def test_arbitrary_objects_are_refused_unless_the_file_is_trusted(tmp_path, monkeypatch):
    RunsCode.executed = False
    path = tmp_path / 'suspicious.pth'
    torch.save(dict(state_dict=nn.Linear(2, 1).state_dict(), payload=RunsCode()), path)
    monkeypatch.delenv(TRUSTED_CHECKPOINTS_ENV, raising=False)
    with pytest.raises(pickle.UnpicklingError) as info:
        load_checkpoint(nn.Linear(2, 1), str(path))
    message = str(info.value)
    assert str(path) in message and '_mark_executed' in message
    assert TRUSTED_CHECKPOINTS_ENV in message and 'add_safe_globals' in message
    assert not RunsCode.executed
    monkeypatch.setenv(TRUSTED_CHECKPOINTS_ENV, f'/elsewhere.pth,{path}')
    checkpoint = load_checkpoint(nn.Linear(2, 1), str(path))
    assert RunsCode.executed and checkpoint['payload'] == 'ran'


def test_checkpoints_by_url_get_the_same_allow_list(tmp_path, monkeypatch):
    # torch.hub alone would unpickle anything a URL serves (weights_only=False).
    monkeypatch.delenv(TRUSTED_CHECKPOINTS_ENV, raising=False)
    RunsCode.executed = False
    served = tmp_path / 'served'
    served.mkdir()
    torch.save(dict(state_dict={}, payload=RunsCode()), served / 'teacher.pth')
    torch.save(dict(state_dict=nn.Linear(2, 1).state_dict(), meta=dict(iter=np.int64(3))),
               served / 'clean.pth')
    url = (served / 'teacher.pth').as_uri()
    with pytest.raises(pickle.UnpicklingError, match=f'Refused to load checkpoint {url}'):
        load_from_http(url, model_dir=str(tmp_path / 'cache'))
    assert not RunsCode.executed
    clean = load_from_http((served / 'clean.pth').as_uri(), model_dir=str(tmp_path / 'cache'))
    assert clean['meta']['iter'] == 3
    monkeypatch.setenv(TRUSTED_CHECKPOINTS_ENV, url)
    assert load_from_http(url, model_dir=str(tmp_path / 'cache'))['payload'] == 'ran'


def test_a_file_that_is_not_a_checkpoint_is_not_called_refused(tmp_path):
    # An HTML error page saved as .pth: torch's own error, never "refused ... trust this file".
    page = tmp_path / 'teacher.pth'
    page.write_text('<html><body>404 Not Found</body></html>')
    with pytest.raises(pickle.UnpicklingError) as info:
        load_checkpoint(nn.Linear(2, 1), str(page))
    assert not isinstance(info.value, CheckpointRefusedError)
    assert 'Refused' not in str(info.value) and TRUSTED_CHECKPOINTS_ENV not in str(info.value)


def test_applying_twice_changes_nothing():
    from mmengine.runner import checkpoint

    from ckd_mmdet.bridges import checkpoint_loading

    before = checkpoint.load_from_local
    checkpoint_loading.apply()
    assert checkpoint.load_from_local is before and before._ckd_mmdet_bridge
