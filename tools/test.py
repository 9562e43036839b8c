# Copyright (c) OpenMMLab and ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Test (and evaluate) a detector checkpoint.

Same interface as MMDetection 3.x's tools/test.py. A checkpoint saved by a ckd_mmdet distiller
holds plain student keys: test it with the distillation config or the plain student config.
"""
import argparse
import os
import os.path as osp

from mmdet.evaluation import DumpDetResults
from mmdet.registry import RUNNERS
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

import ckd_mmdet  # noqa: F401  (compat bridges: checkpoints load on torch >= 2.6)
from ckd_mmdet.compat import prepare_cpu_distributed


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a detector')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save the evaluation metrics')
    parser.add_argument('--out', type=str,
                        help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value pairs (key="[a,b]" for lists)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main():
    args = parse_args()
    for what, path in (('config', args.config), ('checkpoint', args.checkpoint)):
        if '://' not in path and not osp.isfile(path):
            raise SystemExit(f'{what} file not found: {path}')
    if args.out is not None and not args.out.endswith(('.pkl', '.pickle')):
        raise SystemExit(f'--out must name a .pkl file, got {args.out}')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint

    prepare_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    if args.out is not None:
        runner.test_evaluator.metrics.append(DumpDetResults(out_file_path=args.out))
    runner.test()


if __name__ == '__main__':
    main()
