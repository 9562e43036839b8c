"""Does CKD make a student better? Same data, schedule and budget for every method, by seed.

Detection: the shapes set (ckd_mmdet.datasets.synthetic), teacher = configs/demo/
faster-rcnn_r34_shapes.py trained once (3000 iterations), students = the narrow R-18 of
configs/demo/ alone and with KD, DKD and CKD through the same TwoStageDistiller, trained
--student-iters (3000; the configs' own schedule is 1500); COCO bbox mAP on the val split.
--pair gfl / retinanet: the same for a dense pair (SingleStageDistiller); --pair dino: for a DETR
(DINODistiller). Each method is compared
with the student alone and with its reference, seed by seed, with a 95 % t interval.
Classification: scikit-learn's digits (1,797 real 8x8 images), an MLP teacher and a smaller
MLP student alone, with KD and with CKD (the same CKDLoss); top-1 on a held-out split.

Writes benchmarks/results/distill_quality[_<pair>][_<data root>][_<N>it][_val<N>][_avx2].{md,json,
png} (the data root's name when it is not data/shapes: another generated set, --shapes-args; the
student schedule when it is not the default; the larger val split of --val-images; kernels
capped at AVX2, below).
Finished runs are kept under --work-dir, each in a folder named by a hash of its resolved
config (quality_runs.config_key), and reused, so an interrupted benchmark continues where it
stopped and a changed config or schedule is trained anew, never reported from an old run.
Trainings cap the CPU's kernels at AVX2 (quality_runs.PINNED_KERNELS): a run's floats then
do not depend on whether a CPU has AVX-512; --native-kernels as before the cap (2026-12-03).

    python benchmarks/distill_quality.py                  # everything (hours on 2 cores)
    python benchmarks/distill_quality.py --skip-detection # digits only (a minute)
"""
import argparse
import json
import os
import platform
import shlex
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import torch
import torch.nn.functional as F
from digits import fit, load_digits_split, mlp, top1
from quality_runs import (CHECKPOINT_EVERY, CONFIGS, cached, cpu_name, kernel_record,
                          package_versions, paired_interval, pin_kernels, run_and_test,
                          run_folder, summary, thread_record)

from ckd_mmdet import CKDLoss
from ckd_mmdet.datasets.synthetic import main as make_shapes
from ckd_mmdet.runs import data_root_options, schedule_options, test, train

REPO = Path(__file__).resolve().parents[1]
FINDING_SEEDS = 5  # the bar: fewer seeds screen a method, they do not settle it
CKD_GFL = 'ckd_gfl_r34-r18-narrow_shapes.py'
KD_GFL = 'kd_gfl_r34-r18-narrow_shapes.py'
RAW = ['model.samples.center=False']
CKD_RETINA = 'ckd_retinanet_r34-r18-narrow_shapes.py'
KD_RETINA = 'kd_retinanet_r34-r18-narrow_shapes.py'
EVERY_PRIOR = ['model.samples.mode=all', 'model.samples.avg_factor=positives']  # as CrossKD
BACKGROUND = ['model.samples.background_ratio=3.0']  # the official RoI rows' mix, about 3:1
RANDOM_BACKGROUND = [*BACKGROUND, 'model.samples.background_pick=random']


def dense_rows(ckd):
    """The rows that fit dense heads, each a ``samples`` option of a pair's CKD config (centred
    rows): one per object, twins kept apart, background beside the positives (picked by the
    teacher's confidence or at random)."""
    return {'CKD one row per object': (ckd, ['model.samples.twins=pool']),
            'CKD twins not negatives': (ckd, ['model.samples.twins=not_negatives']),
            'CKD + background 3:1 (teacher)': (ckd, BACKGROUND),
            'CKD + background 3:1 (random)': (ckd, RANDOM_BACKGROUND)}


def beside_pkd(pair):
    """CKD and KD beside a feature loss (PKD), as the official detection release always
    combines CKD, and the feature loss alone: what the logit loss adds beside it."""
    ckd_pkd = f'ckd-pkd_{pair}_r34-r18-narrow_shapes.py'
    return {'CKD + PKD': ckd_pkd, 'KD + PKD': f'kd-pkd_{pair}_r34-r18-narrow_shapes.py',
            'PKD': (ckd_pkd, ['model.distill_loss=None']),
            'CKD + background 3:1 (random) + PKD': (ckd_pkd, RANDOM_BACKGROUND)}


PKD_REFERENCES = {'CKD + PKD': ('KD + PKD', 'PKD'), 'KD + PKD': 'PKD',
                  'CKD + background 3:1 (random) + PKD': ('KD + PKD', 'CKD + PKD')}


DENSE_REFERENCES = {'CKD': 'KD', 'KD (every prior)': 'KD',  # a row choice must beat KD too
                    **{name: ('CKD', 'KD') for name in dense_rows(None)}}
CKD_DINO = 'ckd_dino_r34-r18-narrow_shapes.py'
KD_DINO = 'kd_dino_r34-r18-narrow_shapes.py'
KD_RCNN = 'kd_faster-rcnn_r34-r18-narrow_shapes.py'
DKD_RCNN = 'dkd_faster-rcnn_r34-r18-narrow_shapes.py'
CKD_RCNN = 'ckd_faster-rcnn_r34-r18-narrow_shapes.py'
PAIRS = {  # --pair: the shapes teacher and each method's student config (configs/demo/)
    'faster-rcnn': dict(
        title='Faster R-CNN R-34', teacher='faster-rcnn_r34_shapes.py',
        references={  # each method is also compared with the student alone
            'CKD': ('KD', 'DKD'), 'DKD': 'KD', 'ReviewCKD': 'ReviewKD', 'CKD + PKD': 'ReviewKD',
            'KD weight 1': 'KD', 'DKD weight 1 (published)': 'DKD',
            'CKD twins not negatives': 'CKD'},
        methods={
            'student alone': 'faster-rcnn_r18-narrow_shapes.py',
            'KD': KD_RCNN,  # T 1, the KL summed over classes, CKD's weight 0.1
            'DKD': DKD_RCNN,  # mdistiller's alpha 1, beta 0.25, T 1 at CKD's weight 0.1
            'CKD': CKD_RCNN,
            # the collapse ablation: weight 1 (KD's usual, DKD's published)
            'KD weight 1': (KD_RCNN, ['model.distill_loss.loss_weight=13.0']),
            'DKD weight 1 (published)': (DKD_RCNN, ['model.distill_loss.loss_weight=1.0']),
            'CKD twins not negatives': (CKD_RCNN, ['model.twins=not_negatives']),
            'ReviewKD': 'reviewkd_faster-rcnn_r34-r18-narrow_shapes.py',
            'ReviewCKD': 'reviewckd_faster-rcnn_r34-r18-narrow_shapes.py',
            'CKD + PKD': 'ckd-pkd_faster-rcnn_r34-r18-narrow_shapes.py'}),
    'gfl': dict(title='GFL R-34', teacher='gfl_r34_shapes.py', references={
        **DENSE_REFERENCES,
        **PKD_REFERENCES, 'CKD + KD': 'KD', **{
            name: 'CKD (raw rows)' for name in (
                'CKD (raw) + background logit 0', 'CKD (raw) confidence-weighted',
                'CKD (raw) teacher top-100', 'CKD (raw) positives + top-100',
                'CKD (raw) weight 0.1')}}, methods={
        'student alone': 'gfl_r18-narrow_shapes.py',
        'KD': KD_GFL,  # the student's positives, raw teacher probabilities
        'KD (every prior)': (KD_GFL, EVERY_PRIOR),
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
        'CKD (raw) weight 0.1': (CKD_GFL, [*RAW, 'model.distill_loss.loss_weight=0.1']),
        **dense_rows(CKD_GFL),
        'CKD + KD': 'ckd-kd_gfl_r34-r18-narrow_shapes.py', **beside_pkd('gfl')}),
    'retinanet': dict(  # the GFL pair's screen on 9 anchors per location (MaxIoU positives)
        title='RetinaNet R-34', teacher='retinanet_r34_shapes.py',
        references={**DENSE_REFERENCES, **PKD_REFERENCES},
        methods={'student alone': 'retinanet_r18-narrow_shapes.py', 'KD': KD_RETINA,
                 'KD (every prior)': (KD_RETINA, EVERY_PRIOR), 'CKD': CKD_RETINA,
                 **dense_rows(CKD_RETINA), **beside_pkd('retinanet')}),
    'dino': dict(  # a DETR: the teacher's decoder answers the student's queries (QueryDistiller)
        title='DINO R-34', teacher='dino_r34_shapes.py', references={
            'CKD': 'KD', 'KD + 50 general points': 'KD',
            **{name: ('CKD', 'KD') for name in ('CKD matched + teacher top-10',
                                                'CKD every decoder layer', 'CKD + boxes')}},
        methods={'student alone': 'dino_r18-narrow_shapes.py',
                 'KD': KD_DINO,  # every query, KD-DETR's confidence weighting
                 'CKD': CKD_DINO,  # the matched queries, one row per object
                 # the other rows the issue names, and KD-DETR's random points
                 'CKD matched + teacher top-10': (CKD_DINO, [
                     'model.samples.mode=positives+teacher_topk', 'model.samples.topk=10']),
                 'CKD every decoder layer': (CKD_DINO, ['model.decoder_layers=all']),
                 'KD + 50 general points': (KD_DINO, ['model.general_points=50']),
                 # KD-DETR's box term (L1 x 5 + GIoU x 2, every query, confidence-weighted)
                 'CKD + boxes': (CKD_DINO, ['model.box_distill.samples.mode=all',
                                            'model.box_distill.samples.weight=teacher_confidence'
                                            ])}),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--pair', default='faster-rcnn', choices=list(PAIRS),
                        help='gfl, retinanet: a dense pair; dino: a DETR; results go to '
                        'distill_quality_<pair>.*')
    parser.add_argument('--work-dir', help='default: work_dirs/distill_quality[_<pair>]')
    parser.add_argument('--data-root', default='data/shapes')
    parser.add_argument('--shapes-args', default='',
                        help='options of python -m ckd_mmdet.datasets.synthetic for a data root '
                        "generated here (another set: e.g. '--seed 7 --clutter 8 "
                        "--max-objects 10 --texture 0.5'); a root generated with other "
                        'options is refused')
    parser.add_argument('--out-dir', default=str(REPO / 'benchmarks' / 'results'))
    parser.add_argument('--teacher-iters', type=int, default=3000)
    parser.add_argument('--student-iters', type=int, default=3000,
                        help='3000 since 2026-11-30: at 1500 the students are far from '
                        'converged and the paired differences spread about 4 times wider '
                        '(SD of CKD - alone 5.0 against 1.2, docs/results.md); another '
                        'value gets its own report')
    parser.add_argument('--methods', nargs='+', help="default: all of the pair's")
    parser.add_argument('--jobs', type=int, default=1,
                        help='trainings run side by side, each with cores / jobs threads '
                        '(2 on 2 cores: measured 4.1 min a run against 17-31 min with the '
                        'default threads side by side)')
    parser.add_argument('--threads', type=int,
                        help='threads of each student training (default: cores / --jobs; '
                        '1 for two benchmarks side by side with --jobs 1)')
    parser.add_argument('--teacher-threads', type=int, default=os.cpu_count() or 1,
                        help='threads of the teacher training (default: every core). A '
                        "run's result depends on its thread count (the order of float "
                        'sums): the same teacher needs the same count, whatever '
                        'OMP_NUM_THREADS says')
    parser.add_argument('--skip-detection', action='store_true')
    parser.add_argument('--cached-only', action='store_true',
                        help='report the finished runs of --work-dir, train nothing')
    parser.add_argument('--previous', type=Path,
                        help='an earlier report (.json) of the same setting whose runs are '
                        'no longer in --work-dir (another machine): its per-seed results are '
                        'reported, not trained again, when its teacher is reproduced to the '
                        'digit and its runs had the same config keys')
    parser.add_argument('--native-kernels', action='store_true',
                        help="each CPU's own kernels (AVX-512 where it has them), as every "
                        'report without a "kernels" entry; by default trainings cap them at '
                        'AVX2, so that a run does not depend on whether its CPU has AVX-512 '
                        '(quality_runs.PINNED_KERNELS); the two kinds are never mixed')
    parser.add_argument('--skip-classification', action='store_true')
    parser.add_argument('--replot', type=Path, metavar='REPORT.json',
                        help='only redraw the figure of an earlier report (beside it)')
    parser.add_argument('--digits-epochs', type=int, default=60)
    parser.add_argument('--val-images', type=int,
                        help='also test every run on a larger val split of N images, generated '
                        "with the data root's options into <data root>_val<N> (its first "
                        'images are the val split itself); reported as <stem>_val<N>')
    args = parser.parse_args()
    pair = PAIRS[args.pair]
    unknown = set(args.methods or ()) - set(pair['methods'])
    if unknown:
        parser.error(f'--methods: {sorted(unknown)} not among {list(pair["methods"])}')
    args.methods = args.methods or list(pair['methods'])
    # each student training gets its share of the cores (set before they start: the
    # subprocesses inherit it); the teacher, trained alone first, gets them all
    args.threads = args.threads or max(1, (os.cpu_count() or 1) // args.jobs)
    args.stem = 'distill_quality' + ('' if args.pair == 'faster-rcnn' else f'_{args.pair}')
    if Path(args.data_root) != Path('data/shapes'):  # another set: its own report and runs
        args.stem += f'_{Path(args.data_root).name}'
    args.work_dir = args.work_dir or f'work_dirs/{args.stem}'
    if args.teacher_iters != parser.get_default('teacher_iters'):  # its own teacher folder
        args.stem += f'_teacher{args.teacher_iters}it'             # and runs, another report
    if args.student_iters != parser.get_default('student_iters'):  # the same teacher and runs
        args.stem += f'_{args.student_iters}it'                    # folder, another report
    if args.val_images:  # the same runs, another report
        args.stem += f'_val{args.val_images}'
    args.kernels = 'native' if args.native_kernels else pin_kernels()  # before training
    if args.kernels != 'native':  # its own report: the native ones stay as they were measured
        args.stem += '_avx2'
    if args.previous:  # read now: the report written here may be the same file
        if not args.previous.is_file():
            parser.error(f'--previous {args.previous}: no such file')
        args.previous_report = json.loads(args.previous.read_text())
    if args.pair != 'faster-rcnn':
        args.skip_classification = True  # the digits rows belong to the first report
    return args


def detection(args, title, report_progress):
    work_dir, data_root = Path(args.work_dir), Path(args.data_root)
    shapes_data(data_root, args.shapes_args)
    data = data_root_options(data_root.resolve())
    tested, suffix = data, ''  # the test's data options; its result and log names
    if args.val_images:  # the same trainings, tested on more images: less evaluation noise
        val_root = data_root.with_name(f'{data_root.name}_val{args.val_images}')
        shapes_data(val_root, f'{args.shapes_args} --train 0 --val {args.val_images}'.strip())
        tested, suffix = data_root_options(val_root.resolve()), f'_val{args.val_images}'
    pair = PAIRS[args.pair]
    teacher_config = CONFIGS / pair['teacher']
    teacher_options = [*data, *schedule_options(args.teacher_iters)]
    teacher_dir = run_folder(work_dir, 'teacher', teacher_config, teacher_options).resolve()
    teacher_ckpt = teacher_dir / f'iter_{args.teacher_iters}.pth'
    training = not teacher_ckpt.is_file() and not args.cached_only
    thread_record(teacher_dir, args.teacher_threads, '--teacher-threads', training)
    kernel_record(teacher_dir, args.kernels, training)
    if training:
        print(f'training the teacher ({args.teacher_iters} iterations, '
              f'{args.teacher_threads} threads)', flush=True)
        os.environ['OMP_NUM_THREADS'] = str(args.teacher_threads)
        train(teacher_config, teacher_dir, teacher_options, quiet=True,
              checkpoint_every=CHECKPOINT_EVERY)
    teacher = cached(teacher_dir / f'map{suffix}.json', lambda: test(
        teacher_config, teacher_ckpt, teacher_dir / f'test{suffix}', tested, quiet=True))
    results = {method: {} for method in args.methods}
    folders = {method: {} for method in args.methods}  # the runs' config keys, for --previous
    earlier = previous_results(args, title, teacher) if args.previous else {}
    runs = []
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
            folders[method][seed] = run_dir.name
            value = reused(earlier, method, seed, run_dir)
            if value is not None:
                results[method][seed] = value
                continue
            if args.cached_only and not (run_dir / 'map.json').is_file():
                continue
            training = not (run_dir / 'map.json').is_file()
            thread_record(run_dir, args.threads, '--threads', training)
            kernel_record(run_dir, args.kernels, training)
            runs.append((method, seed, config, run_dir, options))

    def run(method, seed, config, run_dir, options):
        value = cached(run_dir / 'map.json', lambda: run_and_test(
            method, seed, config, run_dir, options))
        if args.val_images:  # the data options come last: they win
            value = cached(run_dir / f'map{suffix}.json', lambda: test(
                config, run_dir / f'iter_{args.student_iters}.pth',
                run_dir / f'test{suffix}', [*options, *tested], quiet=True))
        return method, seed, value

    failed = []
    os.environ['OMP_NUM_THREADS'] = str(args.threads)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:  # each run is a subprocess
        for future in as_completed([pool.submit(run, *job) for job in runs]):
            try:
                method, seed, value = future.result()
            except RuntimeError as error:  # the other runs go on; reported at the end
                failed.append(str(error).splitlines()[0])
                continue
            results[method][seed] = value
            report_progress(teacher, results)
    if failed:
        raise SystemExit('runs that failed:\n' + '\n'.join(failed))
    return teacher, results, folders


def reused(earlier, method, seed, run_dir):
    """The earlier result of this run, unless it is cached here (this machine's result wins)
    or the earlier report names another config key for it; else None."""
    value, folder = earlier.get(method, {}).get(str(seed), (None, None))
    if value is None or (Path(run_dir) / 'map.json').is_file():
        return None
    return value if folder in (None, Path(run_dir).name) else None


def setting(title):
    """A report's title without its seeds: what makes two reports' runs comparable."""
    return title.removesuffix(' (in progress)').rsplit(', seeds ', 1)[0]


def previous_results(args, title, teacher):
    """{method: {seed: (value, run folder or None)}} of an earlier report of this setting.

    Its runs are only taken if its teacher's mAP is the one just measured: the teacher is
    trained anew from the same seed, so an equal result shows that training, data and
    evaluation reproduce here, whatever kernels each used (a native report can reproduce with
    capped kernels: docs/results.md). Reports written since 2026-12-01 also carry each run's
    folder name (its config key); a run whose config has changed since is trained again."""
    path, entry = args.previous, args.previous_report.get('detection') or {}
    if setting(entry.get('title', '')) != setting(title):
        raise SystemExit(f'--previous {path} reports {entry.get("title")!r}, not this '
                         f'setting ({setting(title)!r}): pass a report of the same pair, '
                         'data and schedules')
    if round(entry['teacher'], 6) != round(teacher, 6):
        used = args.previous_report.get('kernels', 'native')
        raise SystemExit(f'--previous {path}: its teacher scored {entry["teacher"]:.4f}, the '
                         f'teacher trained here {teacher:.4f}: its runs do not reproduce here, '
                         'so they are not reused (train them again without --previous). Its '
                         f'kernels: {used}; here: {args.kernels}'
                         + ('; --native-kernels on a machine of its CPU may reproduce it'
                            if used != args.kernels else ''))
    runs = entry.get('runs', {})
    return {method: {seed: (value, runs.get(method, {}).get(seed))
                     for seed, value in values.items()}
            for method, values in entry['results'].items()}


def shapes_data(root, shapes_args):
    """Generates the shapes set at ``root`` with ``shapes_args`` unless it is there; a set
    there that was generated with other options is an error, not silently reused (the runs'
    cache keys name the root, not how it was made)."""
    record = root / 'generated_with.json'
    wanted = shlex.split(shapes_args)
    if (root / 'annotations' / 'instances_val.json').is_file():
        made = json.loads(record.read_text()) if record.is_file() else []
        if made != wanted:
            raise SystemExit(f'{root} was generated with {made or "the default options"}, not '
                             f'--shapes-args {shapes_args!r}: pass another --data-root')
        return
    make_shapes([str(root), *wanted])
    record.write_text(json.dumps(wanted))


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
    results = {}
    for method, extra in methods.items():
        results[method] = {}
        for seed in args.seeds:
            torch.manual_seed(100 + seed)
            student = fit(mlp(12), x_train, y_train, args.digits_epochs, seed, extra, teacher)
            results[method][seed] = top1(student, x_test, y_test)
        print(f'digits {method}: {results[method]}', flush=True)
    return top1(teacher, x_test, y_test), results


def paired_differences(results, unit, references):
    """Markdown tables: each method minus the student alone, and each method minus its
    reference (``references``: method -> a reference or a tuple of them), over the seeds both
    have (the same seed is the same data order and initialisation), with the 95 % interval of
    the mean difference (Student's t, n - 1 degrees of freedom); and the half-widths achieved."""
    lines, half_widths = [], []
    comparisons = [('the student alone', [(m, 'student alone') for m in results
                                          if m != 'student alone']),
                   ('its reference', [(m, r) for m, refs in (references or {}).items()
                                      if m in results
                                      for r in ([refs] if isinstance(refs, str) else refs)])]
    for title, pairs in comparisons:
        rows = []
        for method, reference in pairs:
            values, base = results[method], results.get(reference) or {}
            seeds = sorted(set(values) & set(base))
            if seeds:
                rows.append((method, reference, seeds, [values[s] - base[s] for s in seeds]))
        if not rows:
            continue
        lines += [f'Paired differences, method − {title} ({unit}); resolved: the 95 % '
                  f'interval excludes 0 on at least {FINDING_SEEDS} seeds (on fewer, a '
                  'screen):', '',
                  '| method | − | n | mean | 95 % interval | resolved | per seed |',
                  '|---|---|---|---|---|---|---|']
        for method, reference, seeds, differences in rows:
            mean, half_width, n = paired_interval(differences)
            if half_width is None:
                interval, verdict = '—', 'no (n < 2)'
            else:
                half_widths.append(half_width)
                interval = f'{mean - half_width:+.2f} … {mean + half_width:+.2f}'
                side = ('better' if mean - half_width > 0 else
                        'worse' if mean + half_width < 0 else None)
                verdict = ('no separation' if side is None else
                           f'**yes, {side}**' if n >= FINDING_SEEDS else
                           f'yes, {side} (screen: n < {FINDING_SEEDS})')  # not a finding
            per_seed = ', '.join(f'{d:+.2f} (s{s})' for s, d in zip(seeds, differences))
            lines.append(f'| {method} | {reference} | {n} | {mean:+.2f} | {interval} | '
                         f'{verdict} | {per_seed} |')
        lines.append('')
    if half_widths:
        lines += [f'Half-widths of these 95 % intervals: {min(half_widths):.2f} to '
                  f'{max(half_widths):.2f} ({unit}); a difference smaller than its half-width '
                  'cannot be told from seed noise here.', '']
    return lines


def write_outputs(report, out_dir, quiet=False, stem='distill_quality'):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f'{stem}.json').write_text(json.dumps(report, indent=2))
    lines = [f'Measured {report["date"]} on {report["machine"]}; command: '
             f'`{report["command"]}`.', '']
    if report.get('packages'):
        lines += ['Packages: ' + ', '.join(f'{name} {version}' for name, version
                                           in report['packages'].items()) + '.', '']
    tasks = report_tasks(report)
    for task, unit in tasks:
        entry = report[task]
        lines += [f'**{entry["title"]}**', '', f'Teacher: {entry["teacher"]:.2f}.', '']
        if entry.get('previous'):
            lines += ['Runs not on this machine are the results of the same runs in '
                      f'{entry["previous"]}, whose teacher the one trained here reproduces '
                      'to the digit.', '']
        lines += [f'| method | n | {unit}, mean ± std | per seed |', '|---|---|---|---|']
        for method, values in entry['results'].items():
            if not values:
                continue
            mean, std = summary(list(values.values()))
            runs = ', '.join(f'{values[s]:.2f} (s{s})' for s in sorted(values))
            lines.append(f'| {method} | {len(values)} | {mean:.2f} ± {std:.2f} | {runs} |')
        lines.append('')
        lines += paired_differences(entry['results'], unit, entry.get('references'))
    (out_dir / f'{stem}.md').write_text('\n'.join(lines))
    plot(report, tasks, out_dir / f'{stem}.png')
    if not quiet:
        print((out_dir / f'{stem}.md').read_text())


def report_tasks(report):
    return [(task, unit) for task, unit in (('detection', 'COCO bbox mAP (%)'),
                                            ('classification', 'top-1 (%)'))
            if task in report]


def replot(path):
    """Redraws the figure of a report from its .json, beside it: figures drawn before the
    current layout overlapped their labels. Reports before 2026-11-30 kept a list of results
    per method, the teacher among them (a figure needs no seed names: they are numbered)."""
    report = json.loads(Path(path).read_text())
    tasks = report_tasks(report)
    if not tasks:
        raise SystemExit(f'--replot {path}: no detection or classification results in it')
    for task, _ in tasks:
        entry = report[task]
        if isinstance(entry['results'].get('teacher'), list):
            entry['teacher'] = entry['results'].pop('teacher')[0]
            entry['results'] = {method: dict(enumerate(values))
                                for method, values in entry['results'].items()}
    figure = Path(path).with_suffix('.png')
    plot(report, tasks, figure)
    return figure


def plot(report, tasks, path):
    figure = report_figure(report, tasks)  # first: it selects the Agg backend
    import matplotlib.pyplot as plt
    figure.savefig(path, dpi=110, bbox_inches='tight')
    plt.close(figure)


def report_figure(report, tasks):
    """Per task: one row per method, its per-seed results as dots and the 95 % interval of
    its mean as a bar, method names on the left where they have room."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    rows = max(len([v for v in report[task]['results'].values() if v]) for task, _ in tasks)
    figure, axes = plt.subplots(1, len(tasks), figsize=(7.5 * len(tasks), 1.0 + 0.42 * rows),
                                squeeze=False)
    for axis, (task, unit) in zip(axes[0], tasks):
        results = {m: v for m, v in report[task]['results'].items() if v}
        names = list(results)[::-1]  # the first method on top
        for row, name in enumerate(names):
            values = list(results[name].values())
            mean, half_width, _ = paired_interval(values)
            axis.errorbar(mean, row, xerr=half_width or 0, fmt='o', color='#dd8452' if
                          'CKD' in name else '#4c72b0', capsize=4, markersize=6)
            axis.scatter(values, [row] * len(values), color='black', s=10, zorder=3)
        axis.axvline(report[task]['teacher'], color='#888888', linestyle='--', linewidth=1,
                     label=f'teacher {report[task]["teacher"]:.1f}')
        axis.set_yticks(range(len(names)), names, fontsize=9)
        axis.set_xlabel(unit + ': seeds (dots), mean and 95 % interval')
        axis.set_title(textwrap.fill(report[task]['title'], 80), fontsize=9)
        # outside the axes: inside, it covers the dots of whichever row ends near the teacher
        axis.legend(loc='upper left', bbox_to_anchor=(1.0, 1.0), fontsize=8)
        axis.grid(axis='x', alpha=0.3)
    figure.tight_layout()
    return figure


def main():
    args = parse_args()
    if args.replot:
        print(f'figure: {replot(args.replot)}')
        return
    report = dict(
        date=time.strftime('%Y-%m-%d'),
        # the cores, not this process's threads
        machine=f'{platform.machine()} ({cpu_name()}), {os.cpu_count()} cores'
        + (', kernels capped at AVX2' if args.kernels != 'native' else '')
        + (f', trainings {args.jobs} at a time' if args.jobs > 1 else '')
        + f', students {args.threads} thread(s) each, no GPU used',
        command=shlex.join(['python', 'benchmarks/distill_quality.py', *sys.argv[1:]]),
        kernels=args.kernels, packages=package_versions())
    if not args.skip_classification:
        teacher, results = classification(args)
        report['classification'] = dict(
            title=f'digits, MLP 256 -> MLP 12, {args.digits_epochs} epochs, seeds {args.seeds}',
            teacher=teacher, results=results, references={'CKD': 'KD'})
    if not args.skip_detection:
        made = f' generated with {args.shapes_args}' if args.shapes_args else ''
        if args.val_images:
            made += f', tested on {args.val_images} val images'
        title = (f'shapes ({args.data_root}{made}), {PAIRS[args.pair]["title"]} '
                 f'({args.teacher_iters} it) -> narrow R-18 ({args.student_iters} it), '
                 f'seeds {args.seeds}')
        references = PAIRS[args.pair]['references']

        def report_progress(teacher, results):  # a long run leaves its results on disk
            report['detection'] = dict(title=title + ' (in progress)', teacher=teacher,
                                       results=results, references=references)
            write_outputs(report, args.out_dir, quiet=True, stem=args.stem)

        teacher, results, runs = detection(args, title, report_progress)
        report['detection'] = dict(title=title, teacher=teacher, results=results,
                                   references=references, runs=runs)
        if args.previous:
            report['detection']['previous'] = (
                f'{args.previous} of {args.previous_report["date"]}')
    write_outputs(report, args.out_dir, stem=args.stem)


if __name__ == '__main__':
    main()
