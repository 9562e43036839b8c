"""A ReviewCKD run (trainable connector beside the student) through the tools: exact resume,
testing with the plain student config, extracting the student (subprocesses, CPU)."""
import re

import pytest
import torch
from helpers import (CONFIGS, REPO, STUDENT_CONFIG, assert_same_predictions,
                     assert_same_weights, predictions_of, prepare_resume)
from helpers import checkpoint_weights as weights
from helpers import run_python as run
from mmdet.registry import MODELS
from mmdet.utils import register_all_modules
from mmengine.config import Config

from ckd_mmdet.runs import data_root_options

pytestmark = pytest.mark.slow  # tools in subprocesses, end to end

REVIEW_CONFIG = CONFIGS / 'tiny_reviewckd_faster-rcnn_r34-r18.py'
TOOLS = REPO / 'tools'
CONNECTOR = 'feature_distill.connector.'


def train(work_dir, teacher_ckpt, shapes_root, *extra):
    return run(TOOLS / 'train.py', REVIEW_CONFIG, '--work-dir', work_dir, '--deterministic',
               *extra, '--cfg-options', f'model.teacher_ckpt={teacher_ckpt}',
               'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
               'default_hooks.checkpoint.interval=2', *data_root_options(shapes_root))


@pytest.fixture(scope='module')
def trained(tmp_path_factory, teacher_ckpt, shapes_root):
    work_dir = tmp_path_factory.mktemp('reviewckd')
    log = train(work_dir, teacher_ckpt, shapes_root)
    assert re.search(r'Iter\(train\) \[4/4\].* loss_ckd: \d+\.\d+.* loss_hcl: \d+\.\d+', log)
    return work_dir


def test_checkpoint_holds_student_and_connector_not_teacher(trained):
    state = weights(trained / 'iter_4.pth')
    assert any(key.startswith(CONNECTOR) and key.endswith('running_var') for key in state)
    assert not any(key.startswith('teacher') for key in state)


def test_resume_with_a_connector_is_bit_identical(tmp_path, trained, teacher_ckpt,
                                                  shapes_root):
    prepare_resume(tmp_path, trained / 'iter_2.pth')
    log = train(tmp_path, teacher_ckpt, shapes_root, '--resume')
    assert 'Iter(train) [3/4]' in log and 'Iter(train) [1/4]' not in log
    assert_same_weights(weights(tmp_path / 'iter_4.pth'), weights(trained / 'iter_4.pth'))
    resumed, before = weights(tmp_path / 'iter_4.pth'), weights(trained / 'iter_2.pth')
    assert any(not torch.equal(before[key], resumed[key]) for key in resumed
               if key.startswith(CONNECTOR))  # the connector did train after the resume


def test_plain_student_config_tests_a_reviewckd_checkpoint(tmp_path, trained, shapes_root):
    predictions = {}
    for name, config in (('distill', REVIEW_CONFIG), ('plain', STUDENT_CONFIG)):
        log, predictions[name] = predictions_of(config, trained / 'iter_4.pth',
                                                tmp_path / name, *data_root_options(shapes_root))
        assert re.search(r'coco/bbox_mAP: -?\d\.\d+', log), log[-2000:]
        assert 'unexpected key' not in log and 'missing keys' not in log
        skipped = re.findall(r'(\d+) distillation-only tensors of the checkpoint '
                             r'\(feature_distill\.\*\) .* skipped', log)
        assert skipped == ([] if name == 'distill' else [str(len(
            [k for k in weights(trained / 'iter_4.pth') if k.startswith(CONNECTOR)]))])
    assert len(predictions['plain']) == 4
    assert_same_predictions(predictions['distill'], predictions['plain'])


def test_extract_student_loads_strictly_into_the_plain_student(tmp_path, trained):
    out = tmp_path / 'student.pth'
    log = run(TOOLS / 'extract_student.py', trained / 'iter_4.pth', out)
    assert 'student tensors' in log
    register_all_modules()
    student = MODELS.build(Config.fromfile(str(STUDENT_CONFIG)).model)
    state = weights(out)
    assert not any(key.startswith('feature_distill') for key in state)
    student.load_state_dict(state, strict=True)
