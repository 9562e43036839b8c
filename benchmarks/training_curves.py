"""Loss and gradient-norm curves of finished runs, side by side, from MMEngine's
``vis_data/scalars.json`` (one row per logged iteration, 50 by default in the demo configs).

    python benchmarks/training_curves.py work_dirs/distill_quality/student_alone_1500_seed1 \
        work_dirs/distill_quality/KD_1500_seed1 --keys loss_cls loss_kd grad_norm acc

Prints one table per key (rows: iterations; columns: runs), flags non-finite values, and with
--plot writes a figure. Used for the KD investigation in docs/results.md.
"""
import argparse
import json
import math
from pathlib import Path


def read_scalars(run_dir):
    """{iteration: {key: value}} of the newest training log under ``run_dir``."""
    files = sorted(Path(run_dir).glob('*/vis_data/scalars.json'))
    if not files:
        raise SystemExit(f'no */vis_data/scalars.json under {run_dir}')
    rows = {}
    for line in files[-1].read_text().splitlines():
        entry = json.loads(line)
        if 'loss' in entry or 'grad_norm' in entry:  # training rows, not validation
            rows[entry['iter']] = entry
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='work directories of finished runs')
    parser.add_argument('--keys', nargs='+', default=['loss_cls', 'grad_norm', 'acc'])
    parser.add_argument('--every', type=int, default=100, help='print every N iterations')
    parser.add_argument('--plot', help='write a figure of the curves to this file')
    args = parser.parse_args()
    curves = {Path(run).name: read_scalars(run) for run in args.runs}
    iterations = sorted({i for rows in curves.values() for i in rows})
    for key in args.keys:
        print(f'\n{key}\n| iteration | ' + ' | '.join(curves) + ' |\n|---|'
              + '---|' * len(curves))
        for iteration in iterations:
            if iteration % args.every and iteration != iterations[-1]:
                continue
            values = [rows.get(iteration, {}).get(key) for rows in curves.values()]
            cells = ['' if v is None else f'{v:.4g}' for v in values]
            print(f'| {iteration} | ' + ' | '.join(cells) + ' |')
        for name, rows in curves.items():
            bad = [i for i, row in rows.items()
                   if key in row and not math.isfinite(row[key])]
            if bad:
                print(f'{name}: {key} not finite from iteration {bad[0]}')
    if args.plot:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        figure, axes = plt.subplots(1, len(args.keys), figsize=(4.2 * len(args.keys), 3.2))
        for axis, key in zip(axes if len(args.keys) > 1 else [axes], args.keys):
            for name, rows in curves.items():
                points = sorted((i, row[key]) for i, row in rows.items() if key in row)
                axis.plot([i for i, _ in points], [v for _, v in points], label=name)
            axis.set_title(key, fontsize=9)
            axis.set_xlabel('iteration')
        axes[0].legend(fontsize=6) if len(args.keys) > 1 else axes.legend(fontsize=6)
        figure.tight_layout()
        figure.savefig(args.plot, dpi=110)


if __name__ == '__main__':
    main()
