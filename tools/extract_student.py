# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Keep only the student of a distillation checkpoint, for the plain student config.

    python tools/extract_student.py work_dirs/ckd_resnet32x4-resnet8x4_cifar100/epoch_480.pth \
        student.pth
    python tools/test.py configs/classification/vanilla/resnet8x4_cifar100.py student.pth

MMRazor algorithms (the classification configs) save ``architecture.*`` (the student),
``teacher.*`` and ``distiller.*``; the student's keys lose their prefix, the rest is dropped
with the optimizer state. A ``TwoStageDistiller`` checkpoint (detection) holds the student's
keys and, with feature distillation, the connector's (``feature_distill.*``): those are
dropped, with the optimizer state.
"""
import argparse
import os
import os.path as osp

import torch
from mmengine.runner.checkpoint import CheckpointLoader

import ckd_mmdet  # noqa: F401  (its bridges: checkpoint loading on torch >= 2.6)
from ckd_mmdet.engine.distillation_keys import DISTILLATION_PREFIXES

PREFIX = 'architecture.'


def student_state_dict(state_dict):
    if not any(key.startswith(PREFIX) for key in state_dict):
        return {key: value for key, value in state_dict.items()
                if not key.startswith(DISTILLATION_PREFIXES)}
    return {key[len(PREFIX):]: value for key, value in state_dict.items()
            if key.startswith(PREFIX)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='checkpoint saved while distilling')
    parser.add_argument('out', help='where to write the student checkpoint')
    args = parser.parse_args()
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint file not found: {args.checkpoint}')
    # MMEngine's loader, as bridged by ckd_mmdet: weights_only with a clear refusal
    checkpoint = CheckpointLoader.load_checkpoint(args.checkpoint, map_location='cpu')
    if not isinstance(checkpoint, dict) or 'state_dict' not in checkpoint:
        raise SystemExit(f'{args.checkpoint} is not an MMEngine checkpoint (no "state_dict")')
    state_dict = student_state_dict(checkpoint['state_dict'])
    meta = dict(checkpoint.get('meta') or {}, extracted_from=osp.abspath(args.checkpoint))
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    partial = args.out + '.part'
    torch.save(dict(state_dict=state_dict, meta=meta), partial)
    os.replace(partial, args.out)
    print(f'{len(state_dict)} student tensors -> {args.out}')


if __name__ == '__main__':
    main()
