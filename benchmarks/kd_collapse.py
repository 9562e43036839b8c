"""Why the KD student of distill_quality.py collapses on the shapes set: the same KD run with
the two knobs the demo recipe fixes, each changed alone, and the curves beside the mAP.

distill_quality.py trains KD (mmdet's KnowledgeDistillationKLDivLoss, T 1, weight 13 = the
per-RoI KL summed over the 13 classes) with the demo schedule (SGD lr 0.04, cosine, 1500
iterations x 4 images). Here, for one seed (default 1, the seed whose KD student scored 0.0 on
2026-11-27), with the same teacher:
  KD                 the distill_quality.py run itself (cached, reused)
  KD, weight 1       mmdet's class-averaged KL: 13x weaker
  KD, lr 0.02        half the learning rate (and student alone at lr 0.02, its reference)
Prints mAP and the loss_cls / loss_kd / grad_norm / acc curves (benchmarks/training_curves.py)
and writes benchmarks/results/kd_collapse.md.

    python benchmarks/kd_collapse.py          # after distill_quality.py trained the teacher
"""
import argparse
import subprocess
import sys
import time
from pathlib import Path

from quality_runs import CONFIGS, cached, run_and_test

from ckd_mmdet.runs import data_root_options, schedule_options

REPO = Path(__file__).resolve().parents[1]
VARIANTS = {  # name: (config, extra --cfg-options, run directory name)
    'student alone': ('faster-rcnn_r18-narrow_shapes.py', [], 'student_alone_{iters}_seed{seed}'),
    'KD': ('kd_faster-rcnn_r34-r18-narrow_shapes.py', [], 'KD_{iters}_seed{seed}'),
    'KD, weight 1': ('kd_faster-rcnn_r34-r18-narrow_shapes.py',
                     ['model.distill_loss.loss_weight=1.0'], 'KD_weight1_{iters}_seed{seed}'),
    'student alone, lr 0.02': ('faster-rcnn_r18-narrow_shapes.py',
                               ['optim_wrapper.optimizer.lr=0.02',
                                'param_scheduler.1.eta_min=0.0002'],
                               'student_alone_lr0.02_{iters}_seed{seed}'),
    'KD, lr 0.02': ('kd_faster-rcnn_r34-r18-narrow_shapes.py',
                    ['optim_wrapper.optimizer.lr=0.02', 'param_scheduler.1.eta_min=0.0002'],
                    'KD_lr0.02_{iters}_seed{seed}'),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument('--work-dir', default='work_dirs/distill_quality')
    parser.add_argument('--data-root', default='data/shapes')
    parser.add_argument('--teacher-iters', type=int, default=3000)
    parser.add_argument('--student-iters', type=int, default=1500)
    parser.add_argument('--out', default=str(REPO / 'benchmarks' / 'results' / 'kd_collapse.md'))
    args = parser.parse_args()
    work_dir = Path(args.work_dir)
    teacher_ckpt = work_dir / f'teacher_{args.teacher_iters}' / f'iter_{args.teacher_iters}.pth'
    if not teacher_ckpt.is_file():
        raise SystemExit(f'no teacher at {teacher_ckpt}: run benchmarks/distill_quality.py first')
    data = data_root_options(Path(args.data_root).resolve())
    results, run_dirs = {}, []
    for name in args.variants:
        config, extra, pattern = VARIANTS[name]
        run_dir = work_dir / pattern.format(iters=args.student_iters, seed=args.seed)
        options = [*data, *schedule_options(args.student_iters), f'randomness.seed={args.seed}',
                   *extra]
        if 'KD' in name:
            options.append(f'model.teacher_ckpt={teacher_ckpt.resolve()}')
        results[name] = cached(run_dir / 'map.json', lambda: run_and_test(
            name, args.seed, CONFIGS / config, run_dir, options))
        run_dirs.append(run_dir)
    curves = subprocess.run(
        [sys.executable, str(REPO / 'benchmarks' / 'training_curves.py'), *map(str, run_dirs),
         '--keys', 'loss_cls', 'loss_kd', 'grad_norm', 'acc', '--every', '100'],
        capture_output=True, text=True, check=True).stdout
    command = ' '.join(['python benchmarks/kd_collapse.py', *sys.argv[1:]])
    lines = [f'Measured {time.strftime("%Y-%m-%d")} on 2 CPU threads, no GPU; command: '
             f'`{command}`.', '',
             f'**shapes, seed {args.seed}, teacher {teacher_ckpt}**', '',
             '| run | bbox mAP (%) | run directory |', '|---|---|---|']
    lines += [f'| {name} | {value:.2f} | `{run_dir.name}` |'
              for (name, value), run_dir in zip(results.items(), run_dirs)]
    lines += ['', 'Curves (columns in the order of the table above):', curves]
    Path(args.out).write_text('\n'.join(lines))
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
