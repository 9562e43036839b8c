"""Shared by the tests: the tiny configs and the generated shapes set."""
import os
import subprocess
import sys
from pathlib import Path

from ckd_mmdet.datasets.synthetic import make_split

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / 'tests' / 'data' / 'configs'
STUDENT_CONFIG = CONFIGS / 'tiny_faster-rcnn_r18.py'
TEACHER_CONFIG = CONFIGS / 'tiny_faster-rcnn_r34.py'
DISTILL_CONFIG = CONFIGS / 'tiny_ckd_faster-rcnn_r34-r18.py'
# 50 + 50 real COCO 2017 images (not in the repository); tests that need them skip without.
TINY_COCO = Path(os.environ.get('CKD_MMDET_TINY_COCO', REPO.parent / 'shared' / 'data' /
                                'tiny_coco'))


def make_shapes(root, num_train=8, num_val=4):
    make_split(root, "train", num_train, seed=0, size=96, max_objects=3)
    make_split(root, "val", num_val, seed=1, size=96, max_objects=3)
    return Path(root)


CLS_TEACHER_CONFIG = CONFIGS / 'tiny_resnet14_cifar100.py'
CLS_STUDENT_CONFIG = CONFIGS / 'tiny_resnet8_cifar100.py'
CLS_DISTILL_CONFIG = CONFIGS / 'tiny_ckd_resnet14-resnet8_cifar100.py'


def write_cifar100(root, num_train=48, num_test=24, seed=0, num_used_classes=4):
    """A folder in the layout of the official CIFAR-100 python archive
    (``root/cifar-100-python/{train,test,meta}``: pickled dicts of uint8 rows of 3x32x32),
    with random images whose mean colour depends on the label."""
    import pickle

    import numpy as np

    rng = np.random.default_rng(seed)
    folder = Path(root) / 'cifar-100-python'
    folder.mkdir(parents=True, exist_ok=True)
    for split, count in (('train', num_train), ('test', num_test)):
        labels = rng.integers(0, num_used_classes, count)
        colours = (labels[:, None] * 60 + np.array([[40, 90, 140]])) % 256
        images = rng.normal(colours[:, :, None], 30, (count, 3, 32 * 32))
        data = np.clip(images, 0, 255).astype(np.uint8).reshape(count, 3 * 32 * 32)
        entry = {'data': data, 'fine_labels': labels.tolist(),
                 'coarse_labels': (labels // 5).tolist()}
        (folder / split).write_bytes(pickle.dumps(entry))
    meta = {'fine_label_names': [f'class_{i}' for i in range(100)],
            'coarse_label_names': [f'super_{i}' for i in range(20)]}
    (folder / 'meta').write_bytes(pickle.dumps(meta))
    return Path(root)


def cifar_root_options(root):
    """--cfg-options that point every data loader of a CIFAR config at ``root``."""
    return [f'{loader}_dataloader.dataset.data_root={root}' for loader in ('train', 'val', 'test')]


def _gloo_process(rank, function, init_file, world_size, results):
    import torch.distributed as dist

    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank,
                            world_size=world_size)
    try:
        results[rank] = function(rank)
    finally:
        dist.destroy_process_group()


def run_in_gloo_processes(function, world_size, tmp_path):
    """[function(rank) for each rank], each run in its own process of a gloo process group
    (``function`` must be importable: a module-level function of a test module)."""
    import torch.multiprocessing as mp

    results = mp.Manager().dict()
    mp.spawn(_gloo_process, args=(function, str(tmp_path / 'gloo_init'), world_size, results),
             nprocs=world_size, join=True)
    return [results[rank] for rank in range(world_size)]


def toy_regression():
    """A two-parameter model and an 8-point data set for Runner-level tests, registered in
    MMEngine's root registries (for configs) as ToyRegression and ToyPoints."""
    import torch
    from mmengine.model import BaseModel
    from mmengine.registry import DATASETS, MODELS

    class ToyRegression(BaseModel):

        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(2, 1)

        def forward(self, inputs, targets, mode='tensor'):
            prediction = self.linear(inputs).squeeze(1)
            if mode == 'loss':
                return dict(loss=((prediction - targets) ** 2).mean())
            return prediction

    class ToyPoints(torch.utils.data.Dataset):

        def __len__(self):
            return 8

        def __getitem__(self, index):
            x = torch.tensor([index / 8, 1.0])
            return dict(inputs=x, targets=x.sum())

    MODELS.register_module(module=ToyRegression, force=True)
    DATASETS.register_module(module=ToyPoints, force=True)
    return ToyRegression, ToyPoints


def free_port():
    """A TCP port nobody listens on now, for a process group's rendezvous."""
    import socket

    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_python(*args, timeout=600):
    """Runs ``python -W ignore ARGS`` (a tool, as a user does) with a fixed hash seed; asserts
    it succeeded and returns its stdout + stderr."""
    result = subprocess.run([sys.executable, '-W', 'ignore', *map(str, args)],
                            capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, 'PYTHONHASHSEED': '0'})
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-5000:])
    return result.stdout + result.stderr


def train_tool(config, work_dir, shapes_root, *extra, iters=4):
    """``tools/train.py config`` on the shapes set at ``shapes_root``, ``iters`` iterations
    (validated at the end, a checkpoint every 2), deterministic; ``extra``: more arguments
    (``--resume``). Returns the log."""
    from ckd_mmdet.runs import data_root_options
    return run_python(REPO / 'tools' / 'train.py', config, '--work-dir', work_dir,
                      '--deterministic', *extra, '--cfg-options', f'train_cfg.max_iters={iters}',
                      f'train_cfg.val_interval={iters}', 'default_hooks.checkpoint.interval=2',
                      *data_root_options(shapes_root))


def dist_train_two_iterations(config, work_dir, *options):
    """``tools/dist_train.sh config 2`` (two gloo processes on CPU) for 2 iterations with
    ``--cfg-options options``; asserts it trained distributed and saved ``iter_2.pth``, and
    returns the log."""
    env = {**os.environ, 'PORT': str(free_port()),
           'PATH': f'{os.path.dirname(sys.executable)}{os.pathsep}{os.environ["PATH"]}',
           'PYTHONWARNINGS': 'ignore'}
    result = subprocess.run(
        ['bash', str(REPO / 'tools' / 'dist_train.sh'), str(config), '2', '--work-dir',
         str(work_dir), '--cfg-options', 'train_cfg.max_iters=2', 'train_cfg.val_interval=100',
         *map(str, options)], capture_output=True, text=True, timeout=600, env=env)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    assert 'Distributed training: True' in log and 'MMDistributedDataParallel' in log
    assert (Path(work_dir) / 'iter_2.pth').is_file()
    return log


# The mmdet configs (shipped inside the mmdet wheel) whose models the tiny dense pairs shrink.
DENSE_FAMILIES = {
    'retinanet': 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    'atss': 'mmdet::atss/atss_r50_fpn_1x_coco.py',
    'fcos': 'mmdet::fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py',
    'gfl': 'mmdet::gfl/gfl_r50_fpn_1x_coco.py',
    'rtmdet': 'mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py',
}


def dense_model(family, teacher=False, num_classes=12):
    """The model dict of ``family``'s mmdet config, shrunk to a tiny CPU model: a ResNet-18
    (teacher: ResNet-34 at twice the width) or a narrow CSPNeXt, one head conv, BN, no
    pretrained weights."""
    from mmengine.hub import get_config

    model = get_config(DENSE_FAMILIES[family]).model.to_dict()
    width = 16 if teacher else 8
    if model['backbone']['type'] == 'ResNet':
        model['backbone'].update(depth=34 if teacher else 18, base_channels=width,
                                 frozen_stages=-1, norm_eval=False, init_cfg=None,
                                 norm_cfg=dict(type='BN', requires_grad=True))
        model['neck'].update(in_channels=[width, 2 * width, 4 * width, 8 * width],
                             out_channels=2 * width)
    else:  # CSPNeXt + CSPNeXtPAFPN
        factor = width / 64
        model['backbone'].update(widen_factor=factor, deepen_factor=0.167, init_cfg=None,
                                 norm_cfg=dict(type='BN'))
        model['neck'].update(in_channels=[int(c * factor) for c in (256, 512, 1024)],
                             out_channels=2 * width, num_csp_blocks=1, norm_cfg=dict(type='BN'))
        model['bbox_head'].update(norm_cfg=dict(type='BN'))
    model['bbox_head'].update(num_classes=num_classes, in_channels=2 * width,
                              feat_channels=2 * width, stacked_convs=1)
    if model['bbox_head']['type'] in ('ATSSHead', 'FCOSHead', 'GFLHead'):  # GN of 32 groups
        model['bbox_head']['norm_cfg'] = dict(type='GN', num_groups=8, requires_grad=True)
    return model


def dense_distiller_model(family, teacher_ckpt=None, **options):
    """A SingleStageDistiller dict: ``family``'s tiny student learning its tiny teacher."""
    return dict(dense_model(family), type='SingleStageDistiller',
                teacher_config=dense_model(family, teacher=True),
                teacher_ckpt=None if teacher_ckpt is None else str(teacher_ckpt), **options)


DETR_FAMILIES = {
    'dino': 'mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py',
    'deformable_detr':
        'mmdet::deformable_detr/deformable-detr-refine-twostage_r50_16xb2-50e_coco.py',
}


def detr_model(family='dino', teacher=False, num_classes=12, num_queries=30,
               deterministic=False):
    """``family``'s mmdet config (DINO 4-scale, two-stage Deformable DETR with box refinement)
    as a tiny CPU model: a ResNet-18 (teacher: ResNet-34 at twice the width), one encoder and
    two decoder layers (teacher: three), 30 queries, 10 denoising queries. ``embed_dims``
    stays 256: both decoders encode positions in 4 x 128 features. ``deterministic``: the
    backbone's BN in eval mode and no dropout, so a student equal to its teacher gives the
    teacher's logits."""
    from mmengine.hub import get_config

    model = get_config(DETR_FAMILIES[family]).model.to_dict()
    width, ffn = (16 if teacher else 8), 128
    model.update(num_queries=num_queries)
    model['backbone'].update(depth=34 if teacher else 18, base_channels=width,
                             frozen_stages=-1, norm_eval=deterministic, init_cfg=None,
                             norm_cfg=dict(type='BN', requires_grad=True))
    model['neck'].update(in_channels=[2 * width, 4 * width, 8 * width])
    model['encoder'].update(num_layers=1)
    model['decoder'].update(num_layers=3 if teacher else 2)
    for layers in (model['encoder']['layer_cfg'], model['decoder']['layer_cfg']):
        layers['ffn_cfg'].update(feedforward_channels=ffn)
        if deterministic:
            layers['ffn_cfg'].update(ffn_drop=0.0)
            for attention in ('self_attn_cfg', 'cross_attn_cfg'):
                if attention in layers:
                    layers[attention].update(dropout=0.0)
    model['bbox_head'].update(num_classes=num_classes)
    if 'dn_cfg' in model:
        model['dn_cfg']['group_cfg'].update(num_dn_queries=10)
    return model


def detr_distiller_model(family='dino', teacher=None, teacher_ckpt=None, **options):
    """A ``DINODistiller``/``DeformableDETRDistiller`` dict: ``family``'s tiny student learning
    ``teacher`` (a model dict; by default the same family's tiny teacher)."""
    kind = {'dino': 'DINODistiller', 'deformable_detr': 'DeformableDETRDistiller'}[family]
    return dict(detr_model(family), type=kind,
                teacher_config=teacher or detr_model(family, teacher=True),
                teacher_ckpt=None if teacher_ckpt is None else str(teacher_ckpt), **options)


def write_dense_config(path, model):
    """A config file: the tiny Faster R-CNN config's data and runtime (96 px shapes) with
    ``model`` in place of its model."""
    path = Path(path)
    path.write_text(f'_base_ = {str(STUDENT_CONFIG)!r}\n'
                    f'model = {dict(model, _delete_=True)!r}\n')
    return path


def predictions_of(config, checkpoint, work_dir, *options):
    """Runs ``tools/test.py config checkpoint`` (a COCO test of the shapes val split, options
    as --cfg-options) as a user does; returns (its log, the predictions it wrote with --out:
    per image a dict with pred_instances bboxes, scores and labels)."""
    import pickle
    out = Path(work_dir) / 'predictions.pkl'
    log = run_python(REPO / 'tools' / 'test.py', config, checkpoint, '--work-dir', work_dir,
                     '--out', out, '--cfg-options', *options)
    with open(out, 'rb') as f:
        return log, pickle.load(f)


def assert_same_predictions(a, b):
    """Two runs of tools/test.py predicted the same boxes, scores and labels for each image."""
    import torch
    assert len(a) == len(b)
    for first, second in zip(a, b):
        for key in ('bboxes', 'scores', 'labels'):
            assert torch.equal(first['pred_instances'][key], second['pred_instances'][key]), key


def checkpoint_weights(path):
    import torch
    return torch.load(path, map_location='cpu', weights_only=False)['state_dict']


def prepare_resume(folder, checkpoint):
    """``folder`` set up as a run that stopped at ``checkpoint`` (a copy of it and
    last_checkpoint), for ``tools/train.py --resume``."""
    import shutil
    copy = Path(folder) / Path(checkpoint).name
    shutil.copy(checkpoint, copy)
    (Path(folder) / 'last_checkpoint').write_text(str(copy))


def kill_when_saved(process, checkpoint, timeout=300):
    """SIGKILLs ``process`` (a training) as soon as ``checkpoint`` exists, as a crash would;
    fails if the file never appears or the training ended first."""
    import signal
    import time
    deadline = time.time() + timeout
    while not Path(checkpoint).exists() and process.poll() is None:
        assert time.time() < deadline, f'{Path(checkpoint).name} never appeared'
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, 'training ended before it could be killed'


def assert_same_weights(a, b):
    """Two state dicts hold the same keys and bit-identical tensors."""
    import torch
    assert a.keys() == b.keys()
    different = [key for key in a if not torch.equal(a[key], b[key])]
    assert not different, f'{len(different)} tensors differ, e.g. {different[:3]}'


def needs_tiny_coco():
    """The pytest marks of a test that trains on tiny_coco: slow, skipped without it."""
    import pytest
    return [pytest.mark.slow,
            pytest.mark.skipif(not TINY_COCO.is_dir(), reason=f'no tiny_coco at {TINY_COCO} '
                               '(set CKD_MMDET_TINY_COCO to its folder)')]
