"""Recomputes a checkpoint's batch-norm statistics on its training data (precise BN) and
saves the result as a new checkpoint; the weights are not touched.

Why: the running statistics a run ends with are a momentum-0.1 average over its last few
batches (the shapes students: about ten batches of four 160 px images), taken while the
weights still move, so two runs that learnt equally well can be tested with different
statistics. Averaging the per-batch statistics of the final weights over many training images
(Wu & Johnson, "Rethinking 'Batch' in BatchNorm", arXiv 2105.07576, section 3) removes that
noise, the same for every method. mmpretrain's ``PreciseBNHook`` does this at the end of
training, but not with mmdet's dataloaders (it divides by ``loader.batch_size``, which is None
under mmdet's ``AspectRatioBatchSampler``), hence these few lines; done afterwards on a finished
run it gives what such a hook would (up to the images drawn) without retraining.

    python benchmarks/precise_bn.py CONFIG CHECKPOINT OUT [--num-samples 800]
                                    [--cfg-options ...]
"""
import argparse
import os.path as osp
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint
from torch.nn.modules.batchnorm import _BatchNorm

import ckd_mmdet  # noqa: F401  (registers the distillers)
from mmdet.registry import MODELS


def precise_bn(config, checkpoint, out, num_samples=800, options=None, seed=0):
    """Loads ``checkpoint`` into ``config``'s model, averages its batch-norm statistics over
    ``num_samples`` images of ``config``'s train dataloader (its pipeline, augmentation
    included) and saves the model to ``out``."""
    cfg = Config.fromfile(config)
    if options:
        cfg.merge_from_dict(options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    if not osp.isfile(checkpoint):
        raise SystemExit(f'precise BN: no checkpoint at {checkpoint}')
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu', logger='silent')
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=seed)
    model.train()  # batch statistics (a frozen teacher outside the module tree stays in eval)
    torch.manual_seed(seed)
    update_bn_statistics(model, loader, num_samples)
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(precise_bn=dict(source=str(checkpoint), num_samples=num_samples,
                                              seed=seed))), out)
    return out


@torch.no_grad()
def update_bn_statistics(model, loader, num_samples):
    """Sets every training-mode batch norm's running mean and variance to the mean of its
    per-batch statistics over the first ``num_samples`` images of ``loader``."""
    layers = [m for m in model.modules() if isinstance(m, _BatchNorm) and m.training]
    if not layers:
        raise SystemExit('precise BN: the model has no batch norm in training mode')
    sums = [(torch.zeros_like(m.running_mean), torch.zeros_like(m.running_var))
            for m in layers]
    momenta = [m.momentum for m in layers]
    for m in layers:
        m.momentum = 1.0  # running statistics = this batch's
    seen = batches = 0
    for data in loader:
        data = model.data_preprocessor(data, False)
        model(**data, mode='tensor')
        for (mean, var), m in zip(sums, layers):
            mean += m.running_mean
            var += m.running_var
        batches += 1
        seen += len(data['inputs'])
        if seen >= num_samples:
            break
    for (mean, var), m, momentum in zip(sums, layers, momenta):
        m.running_mean.copy_(mean / batches)
        m.running_var.copy_(var / batches)
        m.momentum = momentum
    return seen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('out')
    parser.add_argument('--num-samples', type=int, default=800,
                        help='training images the statistics are averaged over')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    precise_bn(args.config, args.checkpoint, args.out, args.num_samples, args.cfg_options,
               args.seed)


if __name__ == '__main__':
    sys.exit(main())
