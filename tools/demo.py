"""The CPU demo: CKD on a generated shapes set, end to end, in about 20 minutes on 2 cores.

1. generates the shapes set (python -m ckd_mmdet.datasets.synthetic) unless it is there;
2. trains the teacher (R-34, configs/demo/faster-rcnn_r34_shapes.py) unless a checkpoint of
   the same schedule is there;
3. trains the narrow R-18 student alone, and the same student with CKD from the teacher,
   with the same schedule and seed;
4. tests all three with tools/test.py and prints their COCO bbox mAP.
"""
import argparse
import time
from pathlib import Path

from ckd_mmdet.datasets.synthetic import main as make_shapes
from ckd_mmdet.runs import data_root_options, schedule_options, test, train

CONFIGS = Path(__file__).resolve().parents[1] / 'configs' / 'demo'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/shapes')
    parser.add_argument('--teacher-iters', type=int, default=1200)
    parser.add_argument('--student-iters', type=int, default=600)
    parser.add_argument('--seed', type=int, default=0, help='seed of the student runs')
    parser.add_argument('--quiet', action='store_true', help='do not echo the MMEngine logs')
    return parser.parse_args()


def main():
    args = parse_args()
    start = time.time()
    work_dir, data_root = Path(args.work_dir), Path(args.data_root)
    data = data_root_options(data_root.resolve())

    def step(message):
        print(f'\n=== [{(time.time() - start) / 60:5.1f} min] {message}', flush=True)

    if not (data_root / 'annotations' / 'instances_val.json').is_file():
        step(f'generating the shapes set in {data_root}')
        make_shapes([str(data_root)])

    teacher_config = CONFIGS / 'faster-rcnn_r34_shapes.py'
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
            ('student alone', 'faster-rcnn_r18-narrow_shapes.py', []),
            ('CKD student', 'ckd_faster-rcnn_r34-r18-narrow_shapes.py',
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
    print(f'\nshapes val set ({data_root}), COCO bbox mAP; students: {args.student_iters} '
          f'iterations, seed {args.seed}; teacher: {args.teacher_iters} iterations\n')
    print('| model | bbox mAP |\n|---|---|')
    print(f'| teacher R-34 | {results["teacher"]:.1f} |')
    print(f'| student R-18 narrow, alone | {results["student alone"]:.1f} |')
    print(f'| student R-18 narrow, CKD | {results["CKD student"]:.1f} |')
    print(f'\nCKD - alone: {results["CKD student"] - results["student alone"]:+.1f} AP '
          f'(one seed; benchmarks/distill_quality.py averages three). '
          f'Total {(time.time() - start) / 60:.1f} min.')


if __name__ == '__main__':
    main()
