"""SingleStageDistiller through the tools, end to end on the tiny shapes set (subprocesses,
CPU): every head family trains, exact resume, 2-process gloo, the plain student config tests a
distilled checkpoint."""
import re

import pytest
import torch
from helpers import (DENSE_FAMILIES, assert_same_predictions, assert_same_weights,
                     dense_distiller_model, dense_model, dist_train_two_iterations, predictions_of,
                     prepare_resume, write_dense_config)
from helpers import checkpoint_weights as weights
from helpers import train_tool as train
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules

from ckd_mmdet.runs import data_root_options

pytestmark = pytest.mark.slow  # tools in subprocesses, end to end


def teacher_checkpoint(family, folder):
    """A checkpoint of ``family``'s tiny teacher (random weights, fixed seed)."""
    register_all_modules()
    torch.manual_seed(0)
    teacher = MODELS.build(dense_model(family, teacher=True))
    path = folder / f'{family}_teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), path)
    return path


def configs(family, folder):
    folder.mkdir(parents=True, exist_ok=True)
    distill = write_dense_config(folder / f'tiny_ckd_{family}.py', dense_distiller_model(
        family, teacher_checkpoint(family, folder)))
    return distill, write_dense_config(folder / f'tiny_{family}.py', dense_model(family))


@pytest.mark.parametrize('family', sorted(DENSE_FAMILIES))
def test_each_head_family_distils_through_train_py(family, tmp_path, shapes_root):
    distill, _ = configs(family, tmp_path / 'configs')
    log = train(distill, tmp_path / 'run', shapes_root, iters=2)
    assert 'teacher weights loaded from' in log
    assert re.search(r'Iter\(train\) \[2/2\].* loss_ckd: \d+\.\d+', log), log[-3000:]
    assert not any(key.startswith('teacher') for key in weights(tmp_path / 'run' / 'iter_2.pth'))


@pytest.fixture(scope='module')
def gfl_run(tmp_path_factory, shapes_root):
    folder = tmp_path_factory.mktemp('gfl')
    distill, plain = configs('gfl', folder / 'configs')
    log = train(distill, folder / 'run', shapes_root)
    assert re.search(r'Iter\(train\) \[4/4\].* loss_ckd: \d+\.\d+', log), log[-3000:]
    return distill, plain, folder / 'run'


def test_resume_is_bit_identical(tmp_path, gfl_run, shapes_root):
    distill, _, run_dir = gfl_run
    prepare_resume(tmp_path, run_dir / 'iter_2.pth')
    log = train(distill, tmp_path, shapes_root, '--resume')
    assert 'Iter(train) [3/4]' in log and 'Iter(train) [1/4]' not in log
    assert_same_weights(weights(tmp_path / 'iter_4.pth'), weights(run_dir / 'iter_4.pth'))


def test_plain_student_config_tests_a_distilled_checkpoint(tmp_path, gfl_run, shapes_root):
    distill, plain, run_dir = gfl_run
    options = [*data_root_options(shapes_root), 'model.test_cfg.score_thr=0.0']  # boxes to see
    predictions = []
    for name, config in (('distill', distill), ('plain', plain)):
        log, found = predictions_of(config, run_dir / 'iter_4.pth', tmp_path / name, *options)
        assert 'unexpected key' not in log and 'missing keys' not in log
        predictions.append(found)
    assert len(predictions[0]) == 4
    assert all(len(image['pred_instances']['scores']) > 0 for image in predictions[0])
    assert_same_predictions(*predictions)


def test_two_process_gloo_training_with_dist_train_sh(tmp_path, gfl_run, shapes_root):
    distill, _, _ = gfl_run
    log = dist_train_two_iterations(distill, tmp_path, *data_root_options(shapes_root))
    assert re.search(r'Iter\(train\) \[2/2\].* loss_ckd: \d+\.\d+', log)
