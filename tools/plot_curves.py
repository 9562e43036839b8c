# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Several runs in one figure: training scalars and validation metrics against the iteration.

    python tools/plot_curves.py work_dirs/student_alone work_dirs/ckd \
        --keys loss_cls loss_ckd teacher_acc ckd_top1 coco/bbox_mAP --out curves.png

Each run is a work directory (all its ``<timestamp>/vis_data/scalars.json``, in order, so a
resumed run is one curve) or one ``scalars.json``; ``--labels`` names them (default: the
folder names). Prints each key's last value per run and where a value stopped being finite.
MMDetection's ``analyze_logs.py plot_curve`` draws one run's training keys (it needs seaborn);
this also puts the validation mAP of iteration-based runs on the iteration axis.
"""
import argparse
from pathlib import Path

from ckd_mmdet.curves import curve, non_finite, plot, read_scalars


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='work directories or scalars.json files')
    parser.add_argument('--keys', nargs='+', default=['loss', 'coco/bbox_mAP'],
                        help='scalars to draw, one panel each (training or validation)')
    parser.add_argument('--labels', nargs='+', help='a name per run (default: folder names)')
    parser.add_argument('--title')
    parser.add_argument('--out', required=True, help='the figure to write (PNG, SVG, PDF)')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.labels and len(args.labels) != len(args.runs):
        raise SystemExit(f'--labels: give one per run ({len(args.runs)}), got '
                         f'{len(args.labels)}')
    labels = args.labels or [Path(run).name if Path(run).is_dir() else
                             Path(run).parents[2].name for run in args.runs]
    try:
        runs = {label: read_scalars(run) for label, run in zip(labels, args.runs)}
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(str(error)) from None
    for key in args.keys:
        print(key)
        for label, scalars in runs.items():
            points = curve(scalars, key)
            bad = non_finite(points)
            print(f'  {label}: ' + ('not logged' if not points else
                                    f'{len(points)} points, last {points[-1][1]:.4g} at '
                                    f'iteration {points[-1][0]}')
                  + ('' if bad is None else f'; not finite from iteration {bad}'))
    plot(runs, args.keys, args.out, args.title)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
