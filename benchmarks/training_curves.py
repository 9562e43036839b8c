"""Loss and gradient-norm curves of finished runs, side by side, as tables (and a figure):
``ckd_mmdet.curves`` reads MMEngine's ``vis_data/scalars.json`` (one row per logged
iteration, 50 by default in the demo configs).

    python benchmarks/training_curves.py work_dirs/distill_quality/student_alone_1500_seed1 \
        work_dirs/distill_quality/KD_1500_seed1 --keys loss_cls loss_kd grad_norm acc

Prints one table per key (rows: iterations; columns: runs), flags non-finite values, and with
--plot writes the figure of ``tools/plot_curves.py``. Used for the KD investigation in
docs/results.md.
"""
import argparse
from pathlib import Path

from ckd_mmdet.curves import curve, non_finite, plot, read_scalars


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='work directories of finished runs')
    parser.add_argument('--keys', nargs='+', default=['loss_cls', 'grad_norm', 'acc'])
    parser.add_argument('--every', type=int, default=100, help='print every N iterations')
    parser.add_argument('--plot', help='write a figure of the curves to this file')
    args = parser.parse_args()
    runs = {Path(run).name: read_scalars(run) for run in args.runs}
    for key in args.keys:
        points = {name: dict(curve(scalars, key)) for name, scalars in runs.items()}
        iterations = sorted({i for values in points.values() for i in values})
        print(f'\n{key}\n| iteration | ' + ' | '.join(runs) + ' |\n|---|' + '---|' * len(runs))
        for iteration in iterations:
            if iteration % args.every and iteration != iterations[-1]:
                continue
            cells = ['' if iteration not in values else f'{values[iteration]:.4g}'
                     for values in points.values()]
            print(f'| {iteration} | ' + ' | '.join(cells) + ' |')
        for name, values in points.items():
            bad = non_finite(sorted(values.items()))
            if bad is not None:
                print(f'{name}: {key} not finite from iteration {bad}')
    if args.plot:
        plot(runs, args.keys, args.plot)


if __name__ == '__main__':
    main()
