"""Do capped kernels decide a training's floats? The same short training of a shapes teacher,
twice with each CPU's own kernels and twice capped at AVX2 (quality_runs.PINNED_KERNELS), one
thread each, in turn; prints a hash of each run's final weights and its time. The cap is
doing its work when the two kinds end on different weights and each kind twice on the same.

    python benchmarks/kernel_cap.py                       # RetinaNet R-34, 60 iterations
    python benchmarks/kernel_cap.py --config gfl_r34_shapes.py --iters 100
"""
import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

import torch
from quality_runs import CONFIGS, PINNED_KERNELS, cpu_name

from ckd_mmdet.runs import data_root_options, schedule_options, train


def weights_hash(checkpoint):
    state = torch.load(checkpoint, map_location='cpu', weights_only=False)['state_dict']
    return hashlib.sha256(b''.join(v.numpy().tobytes() for v in state.values())).hexdigest()[:12]


def trainings(config, iters, root):
    """[(kernels, weights hash, seconds)] of four trainings: native, capped, native, capped."""
    options = [*data_root_options(Path(root).resolve()), *schedule_options(iters)]
    plain = {k: v for k, v in os.environ.items() if k not in PINNED_KERNELS}
    runs = []
    with tempfile.TemporaryDirectory() as work:
        try:
            for run, kernels in enumerate(['native', 'capped'] * 2):
                os.environ.clear()  # the training subprocess inherits it
                os.environ.update(plain, OMP_NUM_THREADS='1',
                                  **(PINNED_KERNELS if kernels == 'capped' else {}))
                started = time.time()
                checkpoint = train(CONFIGS / config, Path(work) / str(run), options, quiet=True)
                runs.append((kernels, weights_hash(checkpoint), time.time() - started))
        finally:
            os.environ.clear()
            os.environ.update(plain)
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--config', default='retinanet_r34_shapes.py', help='in configs/demo/')
    parser.add_argument('--iters', type=int, default=60)
    parser.add_argument('--data-root', default='data/shapes',
                        help='a generated shapes set (distill_quality.py makes data/shapes)')
    args = parser.parse_args()
    root = Path(args.data_root)
    if not (root / 'annotations' / 'instances_train.json').is_file():
        sys.exit(f'--data-root {root}: no shapes set there; make one with '
                 f'python -m ckd_mmdet.datasets.synthetic {root}')
    print(f'{time.strftime("%Y-%m-%d")}, {cpu_name()}, 1 thread, configs/demo/{args.config}, '
          f'{args.iters} iterations')
    for kernels, digest, seconds in trainings(args.config, args.iters, root):
        print(f'{kernels:>6}: weights {digest}, {seconds:.0f} s', flush=True)


if __name__ == '__main__':
    main()
