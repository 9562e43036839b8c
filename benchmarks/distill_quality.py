"""Does CKD make a student better? Same data, schedule and budget for every method, 3 seeds.

Detection: the shapes set (ckd_mmdet.datasets.synthetic), teacher = configs/demo/
faster-rcnn_r34_shapes.py trained once, students = the narrow R-18 of configs/demo/ alone and
with KD, DKD and CKD through the same TwoStageDistiller; COCO bbox mAP on the val split.
Classification: scikit-learn's digits (1,797 real 8x8 images), an MLP teacher and a smaller
MLP student alone, with KD and with CKD (the same CKDLoss); top-1 on a held-out split.

Writes benchmarks/results/distill_quality.{md,json,png}. Finished runs are kept under
--work-dir, each in a folder named by a hash of its resolved config (quality_runs.config_key),
and reused, so an interrupted benchmark continues where it stopped and a changed config or
schedule is trained anew, never reported from an old run.

    python benchmarks/distill_quality.py                  # everything (hours on 2 cores)
    python benchmarks/distill_quality.py --skip-detection # digits only (a minute)
"""
import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from digits import fit, load_digits_split, mlp, top1
from quality_runs import CONFIGS, cached, run_and_test, run_folder, summary

from ckd_mmdet import CKDLoss
from ckd_mmdet.datasets.synthetic import main as make_shapes
from ckd_mmdet.runs import data_root_options, schedule_options, test, train

REPO = Path(__file__).resolve().parents[1]
CKD_GFL = 'ckd_gfl_r34-r18-narrow_shapes.py'
RAW = ['model.samples.center=False']
PAIRS = {  # --pair: the shapes teacher and each method's student config (configs/demo/)
    'faster-rcnn': dict(
        title='Faster R-CNN R-34', teacher='faster-rcnn_r34_shapes.py',
        references=('student alone', 'ReviewKD'), methods={
            'student alone': 'faster-rcnn_r18-narrow_shapes.py',
            'KD': 'kd_faster-rcnn_r34-r18-narrow_shapes.py',
            'DKD': 'dkd_faster-rcnn_r34-r18-narrow_shapes.py',
            'CKD': 'ckd_faster-rcnn_r34-r18-narrow_shapes.py',
            'ReviewKD': 'reviewkd_faster-rcnn_r34-r18-narrow_shapes.py',
            'ReviewCKD': 'reviewckd_faster-rcnn_r34-r18-narrow_shapes.py',
            'CKD + PKD': 'ckd-pkd_faster-rcnn_r34-r18-narrow_shapes.py'}),
    'gfl': dict(title='GFL R-34', teacher='gfl_r34_shapes.py', references=(
        'student alone', 'CKD (raw rows)'), methods={
        'student alone': 'gfl_r18-narrow_shapes.py',
        'KD': 'kd_gfl_r34-r18-narrow_shapes.py',
        'CKD': 'ckd_gfl_r34-r18-narrow_shapes.py',  # positives, centred rows, weight 1
        # the other row choices of SingleStageDistiller, on raw (uncentred) rows
        'CKD (raw rows)': (CKD_GFL, RAW),
        'CKD (raw) + background logit 0': (CKD_GFL, [*RAW, 'model.samples.background_logit=0.0']),
        'CKD (raw) confidence-weighted': (CKD_GFL, [
            *RAW, 'model.samples.weight=teacher_confidence']),
        'CKD (raw) teacher top-100': (CKD_GFL, [
            *RAW, 'model.samples.mode=teacher_topk', 'model.samples.topk=100']),
        'CKD (raw) positives + top-100': (CKD_GFL, [
            *RAW, 'model.samples.mode=positives+teacher_topk', 'model.samples.topk=100']),
        'CKD (raw) weight 0.1': (CKD_GFL, [*RAW, 'model.distill_loss.loss_weight=0.1'])}),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--pair', default='faster-rcnn', choices=list(PAIRS),
                        help='gfl: the dense pair; results go to distill_quality_gfl.*')
    parser.add_argument('--work-dir', help='default: work_dirs/distill_quality[_gfl]')
    parser.add_argument('--data-root', default='data/shapes')
    parser.add_argument('--out-dir', default=str(REPO / 'benchmarks' / 'results'))
    parser.add_argument('--teacher-iters', type=int, default=3000)
    parser.add_argument('--student-iters', type=int, default=1500)
    parser.add_argument('--methods', nargs='+', help="default: all of the pair's")
    parser.add_argument('--skip-detection', action='store_true')
    parser.add_argument('--cached-only', action='store_true',
                        help='report the finished runs of --work-dir, train nothing')
    parser.add_argument('--skip-classification', action='store_true')
    parser.add_argument('--digits-epochs', type=int, default=60)
    args = parser.parse_args()
    pair = PAIRS[args.pair]
    unknown = set(args.methods or ()) - set(pair['methods'])
    if unknown:
        parser.error(f'--methods: {sorted(unknown)} not among {list(pair["methods"])}')
    args.methods = args.methods or list(pair['methods'])
    args.stem = 'distill_quality' + ('' if args.pair == 'faster-rcnn' else f'_{args.pair}')
    args.work_dir = args.work_dir or f'work_dirs/{args.stem}'
    if args.pair != 'faster-rcnn':
        args.skip_classification = True  # the digits rows belong to the first report
    return args


def detection(args, report_progress):
    work_dir, data_root = Path(args.work_dir), Path(args.data_root)
    if not (data_root / 'annotations' / 'instances_val.json').is_file():
        make_shapes([str(data_root)])
    data = data_root_options(data_root.resolve())
    pair = PAIRS[args.pair]
    teacher_config = CONFIGS / pair['teacher']
    teacher_options = [*data, *schedule_options(args.teacher_iters)]
    teacher_dir = run_folder(work_dir, 'teacher', teacher_config, teacher_options).resolve()
    teacher_ckpt = teacher_dir / f'iter_{args.teacher_iters}.pth'
    if not teacher_ckpt.is_file() and not args.cached_only:
        print(f'training the teacher ({args.teacher_iters} iterations)', flush=True)
        train(teacher_config, teacher_dir, teacher_options, quiet=True)
    results = {'teacher': [cached(teacher_dir / 'map.json', lambda: test(
        teacher_config, teacher_ckpt, teacher_dir / 'test', data, quiet=True))]}
    results.update({method: [] for method in args.methods})
    for seed in args.seeds:  # seed-major: every method has a result early in a long run
        for method in args.methods:
            config, extra = pair['methods'][method], []
            if not isinstance(config, str):  # (config, --cfg-options of this variant)
                config, extra = config
            config = CONFIGS / config
            options = [*data, *schedule_options(args.student_iters), f'randomness.seed={seed}',
                       *extra]
            if method != 'student alone':  # the teacher's folder names its own config
                options.append(f'model.teacher_ckpt={teacher_ckpt}')
            run_dir = run_folder(work_dir, f'{method}_seed{seed}', config, options)
            if args.cached_only and not (run_dir / 'map.json').is_file():
                continue
            results[method].append(cached(run_dir / 'map.json', lambda: run_and_test(
                method, seed, config, run_dir, options)))
            report_progress(results)
    return results


def classification(args):
    x_train, y_train, x_test, y_test = load_digits_split()
    torch.manual_seed(0)
    teacher = fit(mlp(256), x_train, y_train, args.digits_epochs, seed=0)
    ckd = CKDLoss(loss_weight=10.0, tau=1.0)  # CE + 10 CKD, the paper's ImageNet weight

    def kd(student_logits, teacher_logits, ce, temperature=4.0):
        # Hinton KD as in mdistiller's CIFAR recipe: 0.1 CE + 0.9 T^2 KL.
        kl = F.kl_div(F.log_softmax(student_logits / temperature, 1),
                      F.softmax(teacher_logits / temperature, 1), reduction='batchmean')
        return 0.1 * ce + 0.9 * temperature**2 * kl

    methods = {'student alone': None, 'KD': kd,
               'CKD': lambda s, t, ce: ce + ckd(s, t)}
    results = {'teacher': [top1(teacher, x_test, y_test)]}
    for method, extra in methods.items():
        results[method] = []
        for seed in args.seeds:
            torch.manual_seed(100 + seed)
            student = fit(mlp(12), x_train, y_train, args.digits_epochs, seed, extra, teacher)
            results[method].append(top1(student, x_test, y_test))
        print(f'digits {method}: {results[method]}', flush=True)
    return results


def paired_differences(results, unit, references):
    """Markdown rows: each method minus each reference, seed by seed (same seed = same
    data order and initialisation), over the seeds both have finished (they run in order)."""
    lines = []
    for reference in references:
        base = results.get(reference) or []
        rows = [(method, [v - b for v, b in zip(values, base)])
                for method, values in results.items()
                if method not in ('teacher', reference) and base and values]
        if not rows:
            continue
        lines += [f'Paired differences, method − {reference}, seed by seed ({unit}):', '',
                  '| method | mean | per seed |', '|---|---|---|']
        for method, differences in rows:
            mean, _ = summary(differences)
            lines.append(f'| {method} | {mean:+.2f} | '
                         + ', '.join(f'{d:+.2f}' for d in differences) + ' |')
        lines.append('')
    return lines


def write_outputs(report, out_dir, quiet=False, stem='distill_quality'):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f'{stem}.json').write_text(json.dumps(report, indent=2))
    lines = [f'Measured {report["date"]} on {report["machine"]}; command: '
             f'`{report["command"]}`.', '']
    for task, unit in (('detection', 'COCO bbox mAP (%)'), ('classification', 'top-1 (%)')):
        if task not in report:
            continue
        lines += [f'**{report[task]["title"]}**', '', f'| method | {unit}, mean ± std | runs |',
                  '|---|---|---|']
        for method, values in report[task]['results'].items():
            if not values:
                continue
            mean, std = summary(values)
            runs = ', '.join(f'{v:.2f}' for v in values)
            lines.append(f'| {method} | {mean:.2f} ± {std:.2f} | {runs} |')
        lines.append('')
        lines += paired_differences(report[task]['results'], unit,
                                    report[task].get('references', ('student alone', )))
    (out_dir / f'{stem}.md').write_text('\n'.join(lines))

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    tasks = [t for t in ('detection', 'classification') if t in report]
    figure, axes = plt.subplots(1, len(tasks), figsize=(5.5 * len(tasks), 3.6), squeeze=False)
    for axis, task in zip(axes[0], tasks):
        names = [n for n, v in report[task]['results'].items() if v]
        stats = [summary(report[task]['results'][n]) for n in names]
        axis.bar(names, [m for m, _ in stats], yerr=[s for _, s in stats], capsize=4,
                 color=['#888888' if n == 'teacher' else '#4c72b0' if n != 'CKD'
                        else '#dd8452' for n in names])
        for index, name in enumerate(names):
            axis.scatter([index] * len(report[task]['results'][name]),
                         report[task]['results'][name], color='black', s=8, zorder=3)
        low = min(min(report[task]['results'][n]) for n in names)
        axis.set_ylim(max(0, low - 5), None)
        axis.set_title(report[task]['title'], fontsize=9)
        axis.set_ylabel('bbox mAP (%)' if task == 'detection' else 'top-1 (%)')
        axis.tick_params(axis='x', labelrotation=20)
    figure.tight_layout()
    figure.savefig(out_dir / f'{stem}.png', dpi=110)
    plt.close(figure)
    if not quiet:
        print((out_dir / f'{stem}.md').read_text())


def main():
    args = parse_args()
    report = dict(
        date=time.strftime('%Y-%m-%d'),
        machine=f'{platform.machine()}, {torch.get_num_threads()} threads, no GPU used',
        command=' '.join(['python benchmarks/distill_quality.py', *sys.argv[1:]]))
    if not args.skip_classification:
        report['classification'] = dict(
            title=f'digits, MLP 256 -> MLP 12, {args.digits_epochs} epochs, seeds {args.seeds}',
            results=classification(args))
    if not args.skip_detection:
        title = (f'shapes, {PAIRS[args.pair]["title"]} ({args.teacher_iters} it) -> narrow R-18 '
                 f'({args.student_iters} it), seeds {args.seeds}')

        def report_progress(results):  # a long run leaves its results so far on disk
            report['detection'] = dict(title=title + ' (in progress)', results=results)
            write_outputs(report, args.out_dir, quiet=True, stem=args.stem)

        report['detection'] = dict(title=title, results=detection(args, report_progress),
                                   references=PAIRS[args.pair]['references'])
    write_outputs(report, args.out_dir, stem=args.stem)


if __name__ == '__main__':
    main()
