# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Convert a CRD/mdistiller CIFAR-100 checkpoint into the MMPretrain classifier of a config.

mdistiller's released teachers (cifar_teachers.tar: resnet32x4_vanilla, wrn_40_2_vanilla,
vgg13_vanilla, ..., each ``ckpt_epoch_240.pth``) are the teachers of the CKD CIFAR-100
results. ckd_mmdet's CIFAR nets keep their module names, so only the prefixes change:

    python tools/convert_cifar_teacher.py configs/classification/vanilla/resnet32x4_cifar100.py \
        download/cifar_teachers/resnet32x4_vanilla/ckpt_epoch_240.pth \
        checkpoints/cifar100/resnet32x4.pth

The converted weights are loaded into the config's model with ``strict=True`` before they are
written: a checkpoint of another network fails here, naming the keys that do not fit.
"""
import argparse
import os
import os.path as osp
import re

import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
from mmengine.runner.checkpoint import CheckpointLoader

import ckd_mmdet.classification  # noqa: F401  (the CIFAR nets; bridged checkpoint loading)

# (pattern, replacement), applied in order to every key; the first that matches wins.
RULES = (
    (r'^(fc|classifier)\.', 'head.fc.'),
    # WideResNet: blockK.layer.i.* -> layerK.i.*, its 1x1 shortcut is MMRazor's downsample
    (r'^block(\d)\.layer\.(\d+)\.convShortcut\.', r'backbone.layer\1.\2.downsample.'),
    (r'^block(\d)\.layer\.(\d+)\.', r'backbone.layer\1.\2.'),
    (r'^', 'backbone.'),
)


def convert_key(key):
    for pattern, replacement in RULES:
        new_key, count = re.subn(pattern, replacement, key, count=1)
        if count:
            return new_key
    return key


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='plain classifier config of the same network')
    parser.add_argument('checkpoint', help='CRD/mdistiller checkpoint (a dict with "model")')
    parser.add_argument('out', help='where to write the MMPretrain checkpoint')
    args = parser.parse_args()
    for path in (args.config, args.checkpoint):
        if not osp.isfile(path):
            raise SystemExit(f'file not found: {path}')
    # MMEngine's loader, as bridged by ckd_mmdet: weights_only with a clear refusal
    source = CheckpointLoader.load_checkpoint(args.checkpoint, map_location='cpu')
    state_dict = source.get('model', source) if isinstance(source, dict) else None
    if not isinstance(state_dict, dict):
        raise SystemExit(f'{args.checkpoint}: expected a state dict or a dict with "model"')
    state_dict = {key.removeprefix('module.'): value for key, value in state_dict.items()}
    converted = {convert_key(key): value for key, value in state_dict.items()}

    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model = MODELS.build(cfg.model)
    try:
        model.load_state_dict(converted, strict=True)
    except RuntimeError as error:
        raise SystemExit(f'{args.checkpoint} does not fit the model of {args.config}:\n'
                         f'{error}') from None
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    meta = dict(converted_from=osp.abspath(args.checkpoint), config=args.config)
    for key in ('epoch', 'accuracy', 'best_acc'):
        value = source.get(key) if isinstance(source, dict) else None
        if isinstance(value, (int, float)) or (torch.is_tensor(value) and value.numel() == 1):
            meta[key] = float(value)
    partial = args.out + '.part'
    torch.save(dict(state_dict=converted, meta=meta), partial)
    os.replace(partial, args.out)
    print(f'{len(converted)} tensors -> {args.out} (loads into {type(model).__name__} of '
          f'{args.config} with strict=True)')


if __name__ == '__main__':
    main()
