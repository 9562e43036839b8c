"""The CPU demo: CKD on a generated shapes set, end to end, in about 20 minutes on 2 cores.

1. generates the shapes set (python -m ckd_mmdet.datasets.synthetic) unless it is there;
2. trains the teacher (R-34, configs/demo/faster-rcnn_r34_shapes.py) unless a checkpoint of
   the same schedule is there;
3. trains the narrow R-18 student alone, and the same student with CKD from the teacher,
   with the same schedule and seed;
4. tests all three with tools/test.py and prints their COCO bbox mAP, also written with the
   date, machine and command to WORK_DIR/results.md.

--pair gfl (make demo-dense) does the same with the single-stage pair: a GFL teacher (R-34)
and GFL student (narrow R-18), CKD on the student's assigner positives.
"""
import argparse
import platform
import sys
import time
from pathlib import Path

import torch

from ckd_mmdet.datasets.synthetic import main as make_shapes
from ckd_mmdet.runs import data_root_options, schedule_options, test, train

CONFIGS = Path(__file__).resolve().parents[1] / 'configs' / 'demo'
PAIRS = {  # --pair: (teacher, student alone, CKD student) configs, the model named in the table
    'faster-rcnn': ('faster-rcnn_r34_shapes.py', 'faster-rcnn_r18-narrow_shapes.py',
                    'ckd_faster-rcnn_r34-r18-narrow_shapes.py', ''),
    'gfl': ('gfl_r34_shapes.py', 'gfl_r18-narrow_shapes.py', 'ckd_gfl_r34-r18-narrow_shapes.py',
            'GFL '),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--pair', default='faster-rcnn', choices=list(PAIRS),
                        help='faster-rcnn: the two-stage pair (make demo); gfl: the dense pair '
                        '(make demo-dense)')
    parser.add_argument('--work-dir', help='default: work_dirs/demo (gfl: work_dirs/demo_dense)')
    parser.add_argument('--data-root', default='data/shapes')
    parser.add_argument('--teacher-iters', type=int, default=1200)
    parser.add_argument('--student-iters', type=int, default=600)
    parser.add_argument('--seed', type=int, default=0, help='seed of the student runs')
    parser.add_argument('--quiet', action='store_true', help='do not echo the MMEngine logs')
    return parser.parse_args()


def main():
    args = parse_args()
    start = time.time()
    teacher_file, student_file, ckd_file, model = PAIRS[args.pair]
    work_dir = Path(args.work_dir or ('work_dirs/demo' if args.pair == 'faster-rcnn'
                                      else 'work_dirs/demo_dense'))
    data_root = Path(args.data_root)
    data = data_root_options(data_root.resolve())

    def step(message):
        print(f'\n=== [{(time.time() - start) / 60:5.1f} min] {message}', flush=True)

    if not (data_root / 'annotations' / 'instances_val.json').is_file():
        step(f'generating the shapes set in {data_root}')
        make_shapes([str(data_root)])

    teacher_config = CONFIGS / teacher_file
    teacher_ckpt = work_dir / 'teacher' / f'iter_{args.teacher_iters}.pth'
    if teacher_ckpt.is_file():
        step(f'reusing the teacher {teacher_ckpt}')
    else:
        step(f'training the teacher, {args.teacher_iters} iterations')
        train(teacher_config, work_dir / 'teacher',
              [*data, *schedule_options(args.teacher_iters)], args.quiet)

    student = [*data, *schedule_options(args.student_iters), f'randomness.seed={args.seed}']
    runs = {}
    for name, config, extra in (
            ('student alone', student_file, []),
            ('CKD student', ckd_file,
             [f'model.teacher_ckpt={teacher_ckpt.resolve()}'])):
        step(f'training the {name}, {args.student_iters} iterations')
        folder = work_dir / name.replace(' ', '_')
        runs[name] = (CONFIGS / config, train(CONFIGS / config, folder, [*student, *extra],
                                              args.quiet), extra)

    results = {}
    for name, (config, checkpoint, extra) in [('teacher', (teacher_config, teacher_ckpt, [])),
                                              *runs.items()]:
        step(f'testing the {name}')
        results[name] = test(config, checkpoint, work_dir / 'test' / name.replace(' ', '_'),
                             [*data, *extra], args.quiet)

    step('done')
    lines = [
        f'Measured {time.strftime("%Y-%m-%d")} on {platform.machine()} '
        f'({torch.get_num_threads()} threads, no GPU used); command: '
        f'`{" ".join(["python tools/demo.py", *sys.argv[1:]])}`; '
        f'{(time.time() - start) / 60:.1f} '
        'min in all.', '',
        f'shapes val set ({data_root}), COCO bbox mAP; students: {args.student_iters} '
        f'iterations, seed {args.seed}; teacher: {args.teacher_iters} iterations', '',
        '| model | bbox mAP |', '|---|---|',
        f'| {model}teacher R-34 | {results["teacher"]:.1f} |',
        f'| {model}student R-18 narrow, alone | {results["student alone"]:.1f} |',
        f'| {model}student R-18 narrow, CKD | {results["CKD student"]:.1f} |', '',
        f'CKD - alone: {results["CKD student"] - results["student alone"]:+.1f} AP (one seed; '
        'benchmarks/distill_quality.py averages several).']
    (work_dir / 'results.md').write_text('\n'.join(lines) + '\n')
    print('\n' + '\n'.join(lines[2:]) + f'\n(also in {work_dir / "results.md"})')


if __name__ == '__main__':
    main()
