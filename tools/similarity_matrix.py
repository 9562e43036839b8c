# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Draw what CKD optimises: the teacher x student row similarities of one distillation step.

    python tools/similarity_matrix.py configs/demo/ckd_retinanet_r34-r18-narrow_shapes.py \
        [STUDENT_CHECKPOINT] --images 4 --out similarity.png \
        --cfg-options model.teacher_ckpt=work_dirs/.../teacher.pth

Runs one training step of the distillation config (no gradient, no optimizer step) on the
first ``--images`` images of its training set, takes the rows its first logit loss gets (the
sampled RoIs, or a dense head's selected priors) and draws the cosine of every teacher row
with every student row, grouped by label (background last), with the share of teacher rows
whose own student row is the most similar (``ckd_top1`` in the training log). Without a
checkpoint the student is at its initialisation: compare the two to see the diagonal emerge.
"""
import argparse
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

import ckd_mmdet  # noqa: F401  (the bridges and registered types)
from ckd_mmdet.cli import check_data_paths, check_teacher_checkpoint
from ckd_mmdet.similarity import draw, similarity, step_rows


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='a distillation config')
    parser.add_argument('checkpoint', nargs='?',
                        help="the student's checkpoint (default: the student at its init)")
    parser.add_argument('--images', type=int, default=2, help='images of the training set')
    parser.add_argument('--seed', type=int, default=0, help='for the sampler and pipeline')
    parser.add_argument('--title', default=None)
    parser.add_argument('--out', required=True, help='the figure to write (PNG, SVG, PDF)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value pairs')
    return parser.parse_args()


def main():
    args = parse_args()
    if not osp.isfile(args.config):
        raise SystemExit(f'config file not found: {args.config}')
    if args.checkpoint is not None and not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint file not found: {args.checkpoint}')
    if args.images < 1:
        raise SystemExit(f'--images must be at least 1, got {args.images}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if 'teacher_config' not in cfg.model:
        raise SystemExit(f'{args.config}: model.teacher_config is not set; this tool needs a '
                         'distillation config (TwoStageDistiller, SingleStageDistiller)')
    check_data_paths(cfg, ['train'])
    check_teacher_checkpoint(cfg)
    torch.manual_seed(args.seed)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmdet')):
        from mmdet.registry import DATASETS, MODELS
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        if len(dataset) < args.images:
            raise SystemExit(f'--images {args.images}: the training set has {len(dataset)}')
        model = MODELS.build(cfg.model)
        model.init_weights()  # and the teacher's checkpoint
        if args.checkpoint is not None:
            load_checkpoint(model, args.checkpoint, map_location='cpu', strict=False,
                            revise_keys=[(r'^module\.', '')])
        model.train()
        data = model.data_preprocessor(
            pseudo_collate([dataset[i] for i in range(args.images)]), True)
        student, teacher, labels = step_rows(model, data)
    head = model.roi_head.bbox_head if hasattr(model, 'roi_head') else model.bbox_head
    title = args.title or (f'{osp.basename(args.config)}\n'
                           f'student: {args.checkpoint or "at its initialisation"}')
    summary = draw(similarity(student, teacher), labels, head.num_classes, args.out, title)
    print(f'{summary["rows"]} rows; own student row most similar for {summary["top1"]:.1f} % '
          f'of the teacher rows; median rank {summary["median_rank"]:g}; wrote {args.out}')


if __name__ == '__main__':
    main()
