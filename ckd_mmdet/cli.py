# Copyright (c) OpenMMLab and ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""The train and test programs behind ``tools/train.py`` and ``tools/test.py``.

MMDetection 3.x's interface (same options), plus only what a config cannot say: a clear exit
when data, a checkpoint or a teacher checkpoint is missing, and ``--launcher pytorch`` on
machines without GPUs. Everything else a run does comes from its config, so MMDetection's own
``tools/train.py`` gives the same run. From an installed package:

    python -m ckd_mmdet.cli train CONFIG [options]
    python -m ckd_mmdet.cli test CONFIG CHECKPOINT [options]
"""
import argparse
import gc
import os
import os.path as osp
import sys
from typing import Callable, Optional, Sequence

import torch
import torch.distributed as dist
# Imported before any process group exists (mmengine.runner imports it too): at import, its
# functions take the default group of that moment as a default argument, and a group taken
# then could never be destroyed.
import torch.distributed.nn  # noqa: F401
from mmengine.config import Config, DictAction

import ckd_mmdet  # noqa: F401  (the bridges and registered types, also for plain configs)
from ckd_mmdet.datasets import DatasetNotFoundError


def train_main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description='Train a detector or a classifier')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--amp', action='store_true',
                        help='enable automatic-mixed-precision training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the LR by the real batch size / auto_scale_lr.base_batch_size')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint, or without a path from the latest checkpoint in '
        'the work dir')
    parser.add_argument(
        '--deterministic', action='store_true',
        help='bit-reproducible run: seed 0 unless randomness.seed is set, deterministic '
        'algorithms (same machine, same number of threads and processes)')
    _add_common_arguments(parser)
    args = parser.parse_args(argv)

    cfg = load_config(args)
    check_data_paths(cfg, ['train', 'val'] if cfg.get('val_cfg') else ['train'])
    check_teacher_checkpoint(cfg)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise SystemExit('--auto-scale-lr needs auto_scale_lr.base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    if args.deterministic:
        randomness = cfg.get('randomness') or {}
        cfg.randomness = dict(randomness, deterministic=True,
                              seed=0 if randomness.get('seed') is None else randomness['seed'])
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    run(cfg, lambda runner: runner.train())


def test_main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description='Test (and eval) a detector or a classifier')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', type=str,
                        help='dump predictions to a pickle file for offline evaluation')
    _add_common_arguments(parser)
    args = parser.parse_args(argv)

    if '://' not in args.checkpoint and not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint file not found: {args.checkpoint}')
    if args.out is not None and not args.out.endswith(('.pkl', '.pickle')):
        raise SystemExit(f'--out must name a .pkl file, got {args.out}')
    cfg = load_config(args)
    check_data_paths(cfg, ['test'])
    cfg.load_from = args.checkpoint
    if isinstance(cfg.get('model'), dict) and cfg.model.get('teacher_ckpt'):
        # Testing never needs it: the student predicts, and a checkpoint of an MMRazor
        # algorithm holds the teacher's weights anyway. Nothing to download or find.
        cfg.model.teacher_ckpt = None

    def test(runner):
        if args.out is not None:
            if cfg.get('default_scope') == 'mmdet':
                from mmdet.evaluation import DumpDetResults as DumpResults
            else:
                from mmengine.evaluator import DumpResults
            runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
        runner.test()

    run(cfg, test)


def _add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--work-dir', help='the dir to save logs, models and metrics')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs (key="[a,b]" for lists)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    # torch.distributed.launch passes --local-rank (torch >= 2.0) or --local_rank.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(args: argparse.Namespace) -> Config:
    """The config of ``args.config`` with the command line applied, ready for a Runner."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    if not osp.isfile(args.config):
        raise SystemExit(f'config file not found: {args.config}')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    # work_dir priority: command line > config > ./work_dirs/<config name>
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg


def run(cfg: Config, action: Callable) -> None:
    """Builds the config's Runner and calls ``action(runner)``, in a process group of its own
    when ``cfg.launcher`` asks for one; a missing data set ends the program with one message.

    ``--launcher pytorch`` works without GPUs: mmengine 0.10.7's launcher calls
    ``torch.cuda.set_device`` whatever the backend and its DDP wrapper pins
    ``device_ids=[LOCAL_RANK]``, both of which fail without CUDA, so a gloo group is started
    here (the Runner then skips its own set-up) and the wrapper gets no device ids.

    When the action ends, the Runner (and with it the DDP-wrapped model, which holds the
    group) is released and the process group destroyed, which joins gloo's worker threads
    while the interpreter is still whole. A worker thread still alive at exit can be the one
    releasing the last collective's tensors, which takes the GIL; during interpreter
    finalisation that ends the thread inside a C++ destructor and aborts the process
    ("terminate called without an active exception") after a successful run.
    """
    if cfg.get('launcher', 'none') == 'pytorch' and not torch.cuda.is_available():
        if not dist.is_initialized():
            dist.init_process_group(backend='gloo')
        wrapper = cfg.get('model_wrapper_cfg') or dict(
            type='MMDistributedDataParallel', broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
        wrapper.setdefault('device_ids', None)
        cfg.model_wrapper_cfg = wrapper
    try:
        action(_build_runner(cfg))
    except DatasetNotFoundError as error:  # data sets are built lazily, inside the loops
        raise SystemExit(f'data not found: {error}') from None
    finally:
        gc.collect()  # the Runner's reference cycles: its model is what holds the group
        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()


def _build_runner(cfg: Config):
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner

    return Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)


def check_data_paths(cfg: Config, splits) -> None:
    """Exits with one message naming the config key and the path when a data set's
    annotation file or image folder, or an evaluator's annotation file, does not exist
    (instead of a traceback from deep inside the data set's loading)."""
    problems = []
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if loader:
            problems += _dataset_problems(loader.get('dataset'), f'{split}_dataloader.dataset')
        evaluator = cfg.get(f'{split}_evaluator')
        for index, metric in enumerate(evaluator if isinstance(evaluator, list) else
                                       [evaluator]):
            ann_file = metric.get('ann_file') if isinstance(metric, dict) else None
            if ann_file and '://' not in ann_file and not osp.isfile(ann_file):
                key = f'{split}_evaluator' + (f'[{index}]' if isinstance(evaluator, list)
                                              else '')
                problems.append(f'{key}.ann_file: no file at {ann_file!r}')
    if problems:
        raise SystemExit('data not found:\n  ' + '\n  '.join(problems) + '\nPut the data '
                         'there, or point the config at it, e.g. --cfg-options '
                         'train_dataloader.dataset.data_root=/path/to/data/')


def check_teacher_checkpoint(cfg: Config) -> None:
    """Exits with one message when ``model.teacher_ckpt`` names a local file that is not
    there (MMRazor would fail deep inside the model's construction)."""
    model = cfg.get('model') or {}
    path = model.get('teacher_ckpt') if isinstance(model, dict) else None
    if isinstance(path, str) and '://' not in path and not osp.isfile(path):
        raise SystemExit(
            f'model.teacher_ckpt: no file at {path!r}. The config\'s header says where the '
            'teacher comes from; or point at it with --cfg-options model.teacher_ckpt=PATH')


def _dataset_problems(dataset, key):
    if not isinstance(dataset, dict):
        return []
    if 'dataset' in dataset:  # RepeatDataset, ClassBalancedDataset, ...
        return _dataset_problems(dataset['dataset'], key + '.dataset')
    if 'datasets' in dataset:  # ConcatDataset
        return [problem for index, child in enumerate(dataset['datasets'])
                for problem in _dataset_problems(child, f'{key}.datasets[{index}]')]
    root = dataset.get('data_root') or ''
    if '://' in root:
        return []  # remote storage: its backend reports what is missing
    if root and not osp.isdir(root):
        return [f'{key}: no data_root folder at {root!r}']
    problems = []
    ann_file = dataset.get('ann_file')
    if ann_file and not osp.isfile(osp.join(root, ann_file)):
        problems.append(f'{key}: no annotation file at {osp.join(root, ann_file)!r} '
                        f'(data_root={root!r}, ann_file={ann_file!r})')
    images = (dataset.get('data_prefix') or {}).get('img')
    if images is not None and not osp.isdir(osp.join(root, images)):
        problems.append(f'{key}: no image folder at {osp.join(root, images)!r} '
                        f"(data_root={root!r}, data_prefix.img={images!r})")
    return problems


PROGRAMS = {'train': train_main, 'test': test_main}

if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1] not in PROGRAMS:
        raise SystemExit(f'usage: python -m ckd_mmdet.cli {{{",".join(PROGRAMS)}}} CONFIG ...')
    PROGRAMS[sys.argv[1]](sys.argv[2:])
