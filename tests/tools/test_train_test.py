"""tools/train.py and tools/test.py end to end, as a user runs them (subprocesses, CPU)."""
import os
import re
import subprocess
import sys

import pytest
import torch
from helpers import (DISTILL_CONFIG, REPO, STUDENT_CONFIG, TEACHER_CONFIG, TINY_COCO,
                     assert_same_predictions, dist_train_two_iterations, predictions_of)
from helpers import run_python as run

from ckd_mmdet.runs import data_root_options

pytestmark = pytest.mark.slow  # tools in subprocesses, end to end

TRAIN = str(REPO / 'tools' / 'train.py')
TEST = str(REPO / 'tools' / 'test.py')


def test_train_then_test_with_distill_and_plain_student_configs(tmp_path, shapes_root,
                                                                teacher_ckpt):
    work_dir = tmp_path / 'train'
    log = run(TRAIN, DISTILL_CONFIG, '--work-dir', work_dir, '--cfg-options',
              f'model.teacher_ckpt={teacher_ckpt}', *data_root_options(shapes_root))
    assert re.search(r'Iter\(train\) \[4/4\].* loss_ckd: \d+\.\d+', log)
    # the alignment scalars reach the log; the fixture's random teacher draws the check, once
    last = re.search(r'Iter\(train\) \[4/4\].*', log).group()
    for scalar in (r'teacher_acc: \d+\.\d+', r'ckd_top1: \d+\.\d+', r'distill_rows: 64\.0'):
        assert re.search(scalar, last), last
    assert log.count('no better than always answering their most frequent label') == 1
    assert 'coco/bbox_mAP' in log  # validation ran at the end
    assert f'teacher weights loaded from {teacher_ckpt}' in log
    assert "class order could not be checked" in log  # the fixture's checkpoint has no names
    checkpoint = torch.load(work_dir / 'iter_4.pth', weights_only=False)
    assert not any(key.startswith('teacher') for key in checkpoint['state_dict'])

    resumed = run(TRAIN, DISTILL_CONFIG, '--work-dir', work_dir, '--resume', '--cfg-options',
                  f'model.teacher_ckpt={teacher_ckpt}', 'train_cfg.max_iters=5',
                  'train_cfg.val_interval=100', *data_root_options(shapes_root))
    assert 'resumed from the latest checkpoint' in resumed
    assert f'teacher weights loaded from {teacher_ckpt}' in resumed  # re-loaded, not saved
    assert re.search(r'Iter\(train\) \[5/5\].* loss_ckd', resumed)
    assert 'Iter(train) [1/5]' not in resumed
    # the curves of this run's two starts, as one run: 5 iterations, validation after 4 and 5
    printed = run(REPO / 'tools' / 'plot_curves.py', work_dir, '--keys', 'loss_ckd',
                  'teacher_acc', 'ckd_top1', 'coco/bbox_mAP', '--out', tmp_path / 'curves.png')
    assert re.search(r'loss_ckd\n  train: 5 points, last \d\.\d+ at iteration 5', printed)
    assert re.search(r'coco/bbox_mAP\n  train: 2 points, last [\d.-]+ at iteration 5', printed)
    assert (tmp_path / 'curves.png').read_bytes()[:4] == b'\x89PNG'

    predictions = {}
    for name, config in (('distill', DISTILL_CONFIG), ('plain', STUDENT_CONFIG)):
        log, predictions[name] = predictions_of(config, work_dir / 'iter_4.pth',
                                                tmp_path / name, *data_root_options(shapes_root))
        assert re.search(r'coco/bbox_mAP: -?\d\.\d+', log), log[-2000:]
        assert 'missing keys' not in log and 'unexpected key' not in log
    assert len(predictions['plain']) == 4
    assert_same_predictions(predictions['distill'], predictions['plain'])


def test_a_teacher_of_another_class_order_stops_before_the_first_iteration(
        tmp_path, shapes_root, teacher_ckpt):
    from ckd_mmdet.datasets.synthetic import CLASSES
    checkpoint = torch.load(teacher_ckpt, weights_only=False)
    swapped = [CLASSES[1], CLASSES[0], *CLASSES[2:]]
    checkpoint['meta'] = dict(dataset_meta=dict(classes=swapped))
    torch.save(checkpoint, tmp_path / 'swapped.pth')
    result = subprocess.run(
        [sys.executable, '-W', 'ignore', TRAIN, str(DISTILL_CONFIG), '--work-dir',
         str(tmp_path / 'run'), '--cfg-options', f'model.teacher_ckpt={tmp_path}/swapped.pth',
         *data_root_options(shapes_root)], capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert (f"class 0 is {CLASSES[1]!r} for the teacher and {CLASSES[0]!r} for the training "
            'set') in result.stderr
    assert 'Iter(train)' not in result.stdout + result.stderr

    checkpoint['meta'] = dict(dataset_meta=dict(classes=list(CLASSES)))  # the same order
    torch.save(checkpoint, tmp_path / 'same.pth')
    log = run(TRAIN, DISTILL_CONFIG, '--work-dir', tmp_path / 'same', '--cfg-options',
              f'model.teacher_ckpt={tmp_path}/same.pth', 'train_cfg.max_iters=1',
              'train_cfg.val_interval=100', *data_root_options(shapes_root))
    assert 'Iter(train) [1/1]' in log and 'could not be checked' not in log


def test_two_process_gloo_training_with_dist_train_sh(tmp_path, shapes_root, teacher_ckpt):
    log = dist_train_two_iterations(DISTILL_CONFIG, tmp_path / 'dist',
                                    f'model.teacher_ckpt={teacher_ckpt}',
                                    *data_root_options(shapes_root))
    assert re.search(r'Iter\(train\) \[2/2\].* loss_ckd: \d+\.\d+', log)


def test_local_rank_spellings(tmp_path):
    for flag in ('--local-rank', '--local_rank'):
        result = subprocess.run([sys.executable, '-W', 'ignore', TRAIN, str(tmp_path / 'no.py'),
                                 f'{flag}=1'], capture_output=True, text=True)
        assert 'config file not found' in result.stderr, result.stderr[-2000:]


def test_test_tool_names_a_missing_checkpoint(tmp_path):
    result = subprocess.run([sys.executable, '-W', 'ignore', TEST, str(DISTILL_CONFIG),
                             str(tmp_path / 'nope.pth')], capture_output=True, text=True)
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert f'checkpoint file not found: {tmp_path / "nope.pth"}' in result.stderr


@pytest.mark.skipif(not TINY_COCO.is_dir(), reason=f'no tiny_coco at {TINY_COCO} (set '
                    'CKD_MMDET_TINY_COCO to its folder)')
def test_real_coco_annotations(tmp_path):
    """80 classes, crowd boxes and COCO's own json through train.py and test.py."""
    teacher = tmp_path / 'teacher_80.py'
    teacher.write_text(f"_base_ = '{TEACHER_CONFIG}'\n"
                       "model = dict(roi_head=dict(bbox_head=dict(num_classes=80)))\n")
    root = f'{TINY_COCO}/'
    config = tmp_path / 'tiny_coco.py'
    config.write_text(
        f"_base_ = '{DISTILL_CONFIG}'\n"
        f"model = dict(teacher_config='{teacher}',\n"
        "             roi_head=dict(bbox_head=dict(num_classes=80)),\n"
        "             test_cfg=dict(rcnn=dict(score_thr=0.0)))  # untrained: keep boxes\n"
        + ''.join(f"{split}_dataloader = dict(dataset=dict(_delete_=True, type='CocoDataset', "
                  f"data_root='{root}', ann_file='annotations/instances_{ann}2017.json', "
                  f"data_prefix=dict(img='{ann}2017/'), pipeline={pipe}, "
                  f"filter_cfg=dict(filter_empty_gt=True, min_size=32)))\n"
                  for split, ann, pipe in (('train', 'train', '{{_base_.train_pipeline}}'),
                                           ('val', 'val', '{{_base_.test_pipeline}}'),
                                           ('test', 'val', '{{_base_.test_pipeline}}')))
        + f"val_evaluator = dict(ann_file='{root}annotations/instances_val2017.json')\n"
        "test_evaluator = val_evaluator\n")
    work_dir = tmp_path / 'work'
    log = run(TRAIN, config, '--work-dir', work_dir, '--cfg-options', 'train_cfg.max_iters=2',
              'train_cfg.val_interval=100')
    assert re.search(r'Iter\(train\) \[2/2\].* loss_ckd: \d+\.\d+', log)
    log = run(TEST, config, work_dir / 'iter_2.pth', '--work-dir', tmp_path / 'test')
    assert re.search(r'\(test\) \[24/24\].*coco/bbox_mAP: \d\.\d+', log), log[-3000:]


@pytest.mark.parametrize('script,fourth', [('slurm_train.sh', 'work_dirs/x'),
                                           ('slurm_test.sh', 'ckpt.pth')])
def test_slurm_scripts_build_the_mmdet_srun_command(tmp_path, script, fourth):
    # No Slurm here: a stand-in srun records the command the script runs.
    srun = tmp_path / 'srun'
    srun.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$SRUN_LOG"\n')
    srun.chmod(0o755)
    env = {**os.environ, 'PATH': f'{tmp_path}{os.pathsep}{os.environ["PATH"]}',
           'SRUN_LOG': str(tmp_path / 'args'), 'GPUS': '16', 'SRUN_ARGS': '--quotatype=auto'}
    subprocess.run(['bash', str(REPO / 'tools' / script), 'part', 'ckd', str(DISTILL_CONFIG),
                    fourth, '--cfg-options', 'a=1'], check=True, env=env, capture_output=True)
    args = (tmp_path / 'args').read_text().splitlines()
    assert args[:6] == ['-p', 'part', '--job-name=ckd', '--gres=gpu:8', '--ntasks=16',
                        '--ntasks-per-node=8']
    assert '--kill-on-bad-exit=1' in args and '--quotatype=auto' in args
    tool = args.index('-u') + 1
    assert args[tool].endswith('tools/' + script.replace('slurm_', '').replace('.sh', '.py'))
    assert args[tool + 1] == str(DISTILL_CONFIG) and '--launcher=slurm' in args
    assert args[-2:] == ['--cfg-options', 'a=1']
    assert (f'--work-dir={fourth}' if 'train' in script else fourth) in args
