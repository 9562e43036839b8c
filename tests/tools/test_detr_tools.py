"""DINODistiller and DeformableDETRDistiller through the tools, end to end on the tiny shapes
set (subprocesses, CPU): both train, exact resume, 2-process gloo, the plain student config
tests a distilled checkpoint."""
import re

import pytest
import torch
from helpers import (DETR_FAMILIES, REPO, assert_same_predictions, assert_same_weights,
                     detr_distiller_model, detr_model, dist_train_two_iterations, predictions_of,
                     prepare_resume, write_dense_config)
from helpers import checkpoint_weights as weights
from helpers import train_tool as train
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules

from ckd_mmdet.runs import data_root_options

pytestmark = pytest.mark.slow  # tools in subprocesses, end to end


def configs(family, folder):
    """The tiny distillation config of ``family`` (its teacher checkpoint: random weights,
    initialised, fixed seed) and its plain student config."""
    folder.mkdir(parents=True, exist_ok=True)
    register_all_modules()
    torch.manual_seed(0)
    teacher = MODELS.build(detr_model(family, teacher=True))
    teacher.init_weights()  # DINO's level_embed is uninitialised memory before it
    checkpoint = folder / f'{family}_teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), checkpoint)
    distill = write_dense_config(folder / f'tiny_ckd_{family}.py',
                                 detr_distiller_model(family, teacher_ckpt=checkpoint))
    return distill, write_dense_config(folder / f'tiny_{family}.py', detr_model(family))


@pytest.fixture(scope='module', params=sorted(DETR_FAMILIES))
def detr_run(request, tmp_path_factory, shapes_root):
    folder = tmp_path_factory.mktemp(request.param)
    distill, plain = configs(request.param, folder / 'configs')
    log = train(distill, folder / 'run', shapes_root)
    assert 'teacher weights loaded from' in log
    assert re.search(r'Iter\(train\) \[4/4\].* loss_ckd: \d+\.\d+.* teacher_acc: '
                     r'\d+\.\d+.* ckd_top1: \d+\.\d+', log), log[-3000:]
    assert not any(key.startswith('teacher') for key in weights(folder / 'run' / 'iter_4.pth'))
    return distill, plain, folder / 'run'


def test_resume_is_bit_identical(tmp_path, detr_run, shapes_root):
    distill, _, run_dir = detr_run
    prepare_resume(tmp_path, run_dir / 'iter_2.pth')
    log = train(distill, tmp_path, shapes_root, '--resume')
    assert 'Iter(train) [3/4]' in log and 'Iter(train) [1/4]' not in log
    assert_same_weights(weights(tmp_path / 'iter_4.pth'), weights(run_dir / 'iter_4.pth'))


def test_plain_student_config_tests_a_distilled_checkpoint(tmp_path, detr_run, shapes_root):
    distill, plain, run_dir = detr_run
    predictions = []
    for name, config in (('distill', distill), ('plain', plain)):
        log, found = predictions_of(config, run_dir / 'iter_4.pth', tmp_path / name,
                                    *data_root_options(shapes_root))
        assert 'unexpected key' not in log and 'missing keys' not in log
        predictions.append(found)
    assert len(predictions[0]) == 4
    assert all(len(image['pred_instances']['scores']) > 0 for image in predictions[0])
    assert_same_predictions(*predictions)


def test_two_process_gloo_training_with_dist_train_sh(tmp_path, detr_run, shapes_root):
    distill, _, _ = detr_run
    log = dist_train_two_iterations(distill, tmp_path, *data_root_options(shapes_root))
    assert re.search(r'Iter\(train\) \[2/2\].* loss_ckd: \d+\.\d+', log)


def test_the_dino_demo_config_trains_through_train_py(tmp_path, shapes_root):
    log = train(REPO / 'configs' / 'demo' / 'dino_r18-narrow_shapes.py', tmp_path, shapes_root,
                iters=2)
    assert re.search(r'Iter\(train\) \[2/2\].* loss_cls: \d+\.\d+.* loss_iou: \d+\.\d+', log), \
        log[-3000:]
    assert 'coco/bbox_mAP' in log and (tmp_path / 'iter_2.pth').is_file()
