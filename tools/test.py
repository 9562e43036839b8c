# Copyright (c) OpenMMLab and ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Test (and evaluate) a detector or classifier checkpoint.

Same interface as MMDetection 3.x's tools/test.py. A checkpoint saved by ckd_mmdet's detection
distiller holds plain student keys: test it with the distillation config or the plain student
config. A classification (MMRazor) distillation checkpoint holds the teacher too: test it with
its distillation config, or extract the student (tools/extract_student.py) for the plain one.
"""
import argparse
import os.path as osp

from mmengine.registry import RUNNERS
from mmengine.runner import Runner

# ckd_mmdet.tools also applies ckd_mmdet.compat
from ckd_mmdet.datasets import DatasetNotFoundError
from ckd_mmdet.tools import add_common_arguments, check_data_paths, load_config


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a detector or a classifier')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', type=str,
                        help='dump predictions to a pickle file for offline evaluation')
    add_common_arguments(parser)
    return parser.parse_args()


def main():
    args = parse_args()
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

    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    if args.out is not None:
        if cfg.get('default_scope') == 'mmdet':
            from mmdet.evaluation import DumpDetResults as DumpResults
        else:
            from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    try:
        runner.test()
    except DatasetNotFoundError as error:  # data sets are built lazily, inside test()
        raise SystemExit(f'data not found: {error}') from None


if __name__ == '__main__':
    main()
