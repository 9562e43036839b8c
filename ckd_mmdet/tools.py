# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""What tools/train.py and tools/test.py share: common options and the config set-up."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction

from .compat import prepare_cpu_distributed


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
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
    prepare_cpu_distributed(cfg)
    return cfg


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
