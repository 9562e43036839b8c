# Copyright (c) OpenMMLab and ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Train a detector or a classifier: plain MMDetection/MMPretrain configs and ckd_mmdet's
distillation configs alike.

Same interface as MMDetection 3.x's tools/train.py.
"""
import argparse

from mmengine.registry import RUNNERS
from mmengine.runner import Runner

# ckd_mmdet.tools also applies ckd_mmdet.compat
from ckd_mmdet.datasets import DatasetNotFoundError
from ckd_mmdet.tools import (add_common_arguments, check_data_paths, check_teacher_checkpoint,
                             load_config)


def parse_args():
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
    add_common_arguments(parser)
    return parser.parse_args()


def main():
    args = parse_args()
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
    # A resumed run continues torch's random stream where the checkpoint left it.
    hooks = cfg.get('custom_hooks') or []
    if not any(hook.get('type') == 'ResumeRandomStateHook' for hook in hooks):
        cfg.custom_hooks = [*hooks, dict(type='ResumeRandomStateHook')]
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    try:
        runner.train()
    except DatasetNotFoundError as error:  # data sets are built lazily, inside train()
        raise SystemExit(f'data not found: {error}') from None


if __name__ == '__main__':
    main()
