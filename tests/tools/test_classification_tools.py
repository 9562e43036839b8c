"""The classification configs through tools/train.py, tools/test.py and the converters."""
import os
import pickle
import re
import runpy
import subprocess
import sys

import pytest
import torch
from helpers import (CLS_DISTILL_CONFIG, CLS_STUDENT_CONFIG, CLS_TEACHER_CONFIG, REPO,
                     cifar_root_options, write_cifar100)
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.registry import MODELS, DefaultScope
from mmengine.runner import Runner

TOOLS = REPO / 'tools'


def run(*args, expect=0):
    result = subprocess.run([sys.executable, '-W', 'ignore', *map(str, args)],
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, 'PYTHONHASHSEED': '0'})
    assert result.returncode == expect, (result.stdout[-3000:], result.stderr[-5000:])
    return result.stdout + result.stderr


@pytest.fixture(scope='module')
def cifar_root(tmp_path_factory):
    return write_cifar100(tmp_path_factory.mktemp('cifar100'))


def build_classifier(config):
    cfg = Config.fromfile(str(config))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return MODELS.build(dict(cfg.model, data_preprocessor=cfg.data_preprocessor))


@pytest.fixture(scope='module')
def cls_teacher_ckpt(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('cls_teacher') / 'teacher.pth'
    torch.save(dict(state_dict=build_classifier(CLS_TEACHER_CONFIG).state_dict()), path)
    return path


@pytest.mark.slow  # tools in subprocesses
def test_teacher_then_ckd_then_test_then_plain_student(tmp_path, cifar_root):
    data = cifar_root_options(cifar_root)
    log = run(TOOLS / 'train.py', CLS_TEACHER_CONFIG, '--work-dir', tmp_path / 'teacher',
              '--cfg-options', *data)
    assert 'accuracy/top1' in log
    teacher_ckpt = tmp_path / 'teacher' / 'epoch_1.pth'

    log = run(TOOLS / 'train.py', CLS_DISTILL_CONFIG, '--work-dir', tmp_path / 'ckd',
              '--cfg-options', f'model.teacher_ckpt={teacher_ckpt}', *data)
    assert 'distill.loss_ckd' in log and 'student.loss' in log
    assert 'teacher.accuracy/top1' in log  # MMRazor's loop validates the teacher as well

    distilled = tmp_path / 'ckd' / 'epoch_1.pth'
    run(TOOLS / 'test.py', CLS_DISTILL_CONFIG, distilled, '--work-dir', tmp_path / 't1',
        '--out', tmp_path / 'distill.pkl', '--cfg-options', *data)
    run(TOOLS / 'extract_student.py', distilled, tmp_path / 'student.pth')
    student = torch.load(tmp_path / 'student.pth', weights_only=True)['state_dict']
    assert student.keys() == build_classifier(CLS_STUDENT_CONFIG).state_dict().keys()
    log = run(TOOLS / 'test.py', CLS_STUDENT_CONFIG, tmp_path / 'student.pth', '--work-dir',
              tmp_path / 't2', '--out', tmp_path / 'plain.pkl', '--cfg-options', *data)
    assert 'accuracy/top1' in log

    with open(tmp_path / 'distill.pkl', 'rb') as f1, open(tmp_path / 'plain.pkl', 'rb') as f2:
        through_distiller, through_plain = pickle.load(f1), pickle.load(f2)
    assert len(through_plain) == 24
    for a, b in zip(through_distiller, through_plain):
        torch.testing.assert_close(a['pred_score'], b['pred_score'], rtol=0, atol=0)


class Snapshots(Hook):
    def before_train(self, runner):  # after weight init and teacher loading
        self.before = {k: v.clone() for k, v in runner.model.state_dict().items()}

    def after_train(self, runner):
        self.after = {k: v.clone() for k, v in runner.model.state_dict().items()}


def test_only_the_student_learns(tmp_path, cifar_root, cls_teacher_ckpt):
    cfg = Config.fromfile(str(CLS_DISTILL_CONFIG))
    cfg.merge_from_dict(dict(option.split('=', 1) for option in cifar_root_options(cifar_root)))
    cfg.model.teacher_ckpt = str(cls_teacher_ckpt)
    cfg.work_dir = str(tmp_path)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    runner = Runner.from_cfg(cfg)
    snapshots = Snapshots()
    runner.register_hook(snapshots)
    runner.train()

    saved = torch.load(cls_teacher_ckpt, weights_only=True)['state_dict']
    teacher_keys = [key for key in snapshots.before if key.startswith('teacher.')]
    assert len(teacher_keys) == len(saved)
    for key in teacher_keys:
        # weights and BN statistics: loaded from teacher_ckpt, untouched by training
        assert torch.equal(snapshots.after[key], snapshots.before[key]), key
        assert torch.equal(snapshots.after[key], saved[key[len('teacher.'):]]), key
    student = [key for key, value in snapshots.before.items()
               if key.startswith('architecture.') and value.is_floating_point()]
    changed = [key for key in student
               if not torch.equal(snapshots.after[key], snapshots.before[key])]
    assert len(changed) == len(student), set(student) - set(changed)
    scalars = runner.message_hub.log_scalars
    assert 'train/distill.loss_ckd' in scalars and 'train/student.loss' in scalars


# CRD/mdistiller module names, read off their model code: the layout of the released teachers.
def resnet_layout(key):
    return re.sub(r'^head\.fc\.', 'fc.', key).removeprefix('backbone.')


def wrn_layout(key):
    key = re.sub(r'^backbone\.layer(\d)\.(\d+)\.downsample\.', r'block\1.layer.\2.convShortcut.',
                 key)
    key = re.sub(r'^backbone\.layer(\d)\.(\d+)\.', r'block\1.layer.\2.', key)
    return resnet_layout(key)


def vgg_layout(key):
    return re.sub(r'^head\.fc\.', 'classifier.', key).removeprefix('backbone.')


@pytest.mark.parametrize('config, layout, expected_keys', [
    (CLS_TEACHER_CONFIG, resnet_layout, ['conv1.weight', 'layer1.0.bn2.running_var',
                                         'layer2.0.downsample.0.weight', 'fc.bias']),
    (REPO / 'configs/classification/vanilla/wrn16_2_cifar100.py', wrn_layout,
     ['conv1.weight', 'block1.layer.0.convShortcut.weight', 'block3.layer.1.bn2.bias',
      'bn1.running_mean', 'fc.weight']),
    (REPO / 'configs/classification/vanilla/vgg8_cifar100.py', vgg_layout,
     ['block0.0.weight', 'block0.1.running_mean', 'block4.0.bias', 'classifier.weight']),
], ids=['resnet', 'wrn', 'vgg'])
def test_convert_cifar_teacher(tmp_path, config, layout, expected_keys, monkeypatch):
    torch.manual_seed(0)
    model = build_classifier(config)
    model.eval()
    released = {layout(key): value for key, value in model.state_dict().items()}
    assert set(expected_keys) <= released.keys()
    source = tmp_path / 'ckpt_epoch_240.pth'
    torch.save({'model': released, 'epoch': 240, 'accuracy': torch.tensor(79.4)}, source)

    out = tmp_path / 'converted' / 'teacher.pth'
    monkeypatch.setattr(sys, 'argv', ['convert', str(config), str(source), str(out)])
    runpy.run_path(str(TOOLS / 'convert_cifar_teacher.py'), run_name='__main__')
    converted = torch.load(out, weights_only=True)
    assert converted['meta']['epoch'] == 240
    fresh = build_classifier(config)
    fresh.load_state_dict(converted['state_dict'], strict=True)
    fresh.eval()
    images = torch.randn(2, 3, 32, 32)
    torch.testing.assert_close(fresh(images), model(images), rtol=0, atol=0)

    other = REPO / 'configs/classification/vanilla/resnet8x4_cifar100.py'
    monkeypatch.setattr(sys, 'argv', ['convert', str(other), str(source), str(out)])
    with pytest.raises(SystemExit, match='does not fit the model of'):
        runpy.run_path(str(TOOLS / 'convert_cifar_teacher.py'), run_name='__main__')


@pytest.mark.slow  # tools in subprocesses
def test_missing_data_and_teacher_are_named(tmp_path, cifar_root, cls_teacher_ckpt):
    out = run(TOOLS / 'train.py', CLS_DISTILL_CONFIG, '--work-dir', tmp_path, '--cfg-options',
              *cifar_root_options(tmp_path / 'nowhere'), expect=1)
    assert f"no data_root folder at '{tmp_path / 'nowhere'}'" in out
    assert 'Traceback' not in out

    (tmp_path / 'empty').mkdir()
    out = run(TOOLS / 'train.py', CLS_DISTILL_CONFIG, '--work-dir', tmp_path, '--cfg-options',
              f'model.teacher_ckpt={cls_teacher_ckpt}', *cifar_root_options(tmp_path / 'empty'),
              expect=1)
    assert f"no file {tmp_path / 'empty' / 'cifar-100-python' / 'train'}" in out
    assert 'Traceback' not in out

    out = run(TOOLS / 'train.py', CLS_DISTILL_CONFIG, '--work-dir', tmp_path, '--cfg-options',
              f'model.teacher_ckpt={tmp_path}/missing.pth', *cifar_root_options(cifar_root),
              expect=1)
    assert f"model.teacher_ckpt: no file at '{tmp_path}/missing.pth'" in out
    assert 'Traceback' not in out
