"""A distillation iteration against what it must cost: the student's iteration + the teacher
(+ the feature connector).

In one process, with the R-101 -> R-18 Faster R-CNN pair of configs/ckd_faster-rcnn_r101-r18_coco.py
or any distillation config given, two-stage, single-stage or DETR (random weights, nothing
downloaded), on the same batch:
  student    one training iteration of the plain student (loss, backward, SGD step)
  teacher    the teacher's share alone: its backbone+neck forward and, with a logit loss, its
             RoI head on the student's sampled RoIs (two-stage), its dense head (single-stage)
             or its encoder and decoder from the student's initial boxes (DETR), under no_grad
  connector  with feature_distill: the connector's forward and the feature loss on the
             student's recorded FPN maps, and their backward (none without it)
  distill    one training iteration of the distiller (all of it)
Times are medians of interleaved rounds; peak memory is measured above the resident state
(see measure.py). Then the teacher's share again in other precisions / memory formats, with
the logit loss each gives on the same student logits.

The last line holds the headline numbers as name=value pairs:
  P2   distill / (student + teacher + connector)                          (goal <= 1.03)
  P3   (distill peak - student peak)
       / (teacher weights + teacher share peak + connector peak)          (goal <= 1.1)
For a single-stage distiller it then times the logit loss (forward + backward) on the rows the
distiller selected and on every prior of the batch (CKDLoss streams above its threshold, so
its memory stays O(N C)).

    python benchmarks/bench_step.py                           # CPU, 2 x 320x256 images
    python benchmarks/bench_step.py \
        --config configs/reviewckd/reviewckd_faster-rcnn_r101-r18_ms-360k_coco.py
    python benchmarks/bench_step.py --device cuda --size 1333 800 --batch 2
    python benchmarks/bench_step.py --config configs/single_stage/ckd_gfl_r101-r50_fpn_1x_coco.py
    python benchmarks/bench_step.py --config configs/detr/ckd_dino_r50-r18_8xb2-12e_coco.py
"""
import argparse
import collections
import copy
import inspect
import platform
import statistics
import time
from pathlib import Path

from measure import Memory, measure_interleaved, restart_with_fixed_mmap_threshold, timed

restart_with_fixed_mmap_threshold()  # before torch allocates anything

import torch  # noqa: E402
from mmdet.models.detectors import BaseDetector  # noqa: E402
from mmdet.registry import MODELS  # noqa: E402
from mmdet.testing import demo_mm_inputs  # noqa: E402
from mmdet.utils import register_all_modules  # noqa: E402
from mmengine.config import Config  # noqa: E402

from ckd_mmdet import SingleStageDistiller, TwoStageDistiller  # noqa: E402
from ckd_mmdet.models.distillers.teacher_checkpoint import init_without_downloads  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=str(REPO / 'configs' /
                                                'ckd_faster-rcnn_r101-r18_coco.py'))
    parser.add_argument('--size', type=int, nargs=2, default=[320, 256], metavar=('W', 'H'))
    parser.add_argument('--batch', type=int, default=2, help='images per iteration')
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--profile', action='store_true',
                        help='then profile one step of each: where the distillation step '
                        'spends more than its shares, op by op')
    parser.add_argument('--variants', nargs='*',
                        default=['fp32', 'fp32+channels_last', 'bf16'],
                        help='teacher precisions (fp32, fp16, bf16; +channels_last) to time; '
                        'none skips. Half precision is ~20x slower on CPUs without native '
                        'support: it is meant for GPUs')
    return parser.parse_args()


def build_models(config, device):
    register_all_modules()
    model_cfg = Config.fromfile(config).model
    model_cfg.teacher_ckpt = None
    student_cfg = copy.deepcopy(model_cfg)  # before DETRs write into their bbox_head config
    torch.manual_seed(0)
    distiller = MODELS.build(model_cfg)
    distiller.load_teacher = lambda: setattr(distiller, '_teacher_loaded', True)  # no warning
    # Both initialised as their configs say, nothing fetched: left at PyTorch's defaults, a
    # DETR head lacks its focal-loss prior bias (loss_cls in the thousands; at 1333x800 on a
    # GPU inf gradients within the warm-up) and DINO's level_embed is uninitialised memory.
    init_without_downloads(distiller)  # the student's modules (the teacher's load is a no-op)
    init_without_downloads(distiller.teacher)
    # the detector class the distiller extends (TwoStageDetector, SingleStageDetector, DINO)
    student_cfg.type = next(cls for cls in type(distiller).__mro__[1:] if issubclass(
        cls, BaseDetector) and cls.__module__.startswith('mmdet.')).__name__
    for name, parameter in inspect.signature(type(distiller).__init__).parameters.items():
        if name != 'self' and parameter.kind is not parameter.VAR_KEYWORD:
            student_cfg.pop(name, None)  # the distiller's own arguments, not the student's
    student = MODELS.build(student_cfg)
    # the same student, without the teacher and the connector
    student.load_state_dict({key: value for key, value in distiller.state_dict().items()
                             if not key.startswith('feature_distill.')})
    return student.to(device).train(), distiller.to(device).train()


def classes_of(detector) -> int:
    """The classes of a detector's head (the demo boxes' labels must be among them)."""
    head = getattr(detector, 'bbox_head', None) or detector.roi_head.bbox_head
    return head.num_classes


def main():
    args = parse_args()
    device = torch.device(args.device)
    student, distiller = build_models(args.config, device)
    width, height = args.size
    packed = demo_mm_inputs(batch_size=args.batch, image_shapes=(3, height, width),
                            num_items=[8] * args.batch, num_classes=classes_of(student))
    data = student.data_preprocessor(packed, True)
    inputs = data['inputs'].to(device)
    samples = [sample.to(device) for sample in data['data_samples']]
    optimizers = {model: torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
                  for model in (student, distiller)}
    captured = {}
    two_stage = isinstance(distiller, TwoStageDistiller)
    dense = isinstance(distiller, SingleStageDistiller)
    loss_fn, features_fn = distiller.distill_loss, distiller.feature_distill
    if not dense:  # the teacher's head on what the student gave it: RoIs, initial boxes
        answer = 'teacher_logits' if two_stage else 'teacher_outputs'
        teacher_answer = getattr(distiller, answer)

        def capture(features, *given):
            captured['given'] = given
            return teacher_answer(features, *given)

        setattr(distiller, answer, capture)
    elif loss_fn is not None:
        prior_logits = distiller.prior_logits

        def capture(outputs, features):
            rows = prior_logits(outputs, features)
            captured['all_rows'] = [r.detach().flatten(0, 1) for r in rows]
            return rows

        distiller.prior_logits = capture
    if loss_fn is not None:
        loss_fn.register_forward_hook(lambda module, args, out: captured.update(
            student_logits=args[0].detach(), teacher_rows=args[1], selected=args[0].shape[0]))
    if features_fn is not None:
        features_fn.register_forward_pre_hook(lambda module, args: captured.update(
            student_features=[level.detach() for level in args[0]], teacher_features=args[1]))

    # the config's gradient clipping (DETRs: max_norm 0.1), for both models alike: random
    # DETRs stepped by SGD without it can diverge to NaN within the benchmark's rounds
    clip_grad = Config.fromfile(args.config).get('optim_wrapper', {}).get('clip_grad')

    def train_step(model):
        losses = model.loss(inputs, samples)
        loss, logged = model.parse_losses(losses)
        name = 'distiller' if model is distiller else 'student'
        if not torch.isfinite(loss):
            raise FloatingPointError(f"the {name}'s loss is {loss.item()}: "
                                     f'{ {key: float(value) for key, value in logged.items()} }')
        optimizers[model].zero_grad()
        loss.backward()
        if clip_grad:
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), **clip_grad)
            if not torch.isfinite(norm):
                raise FloatingPointError(f"the {name}'s gradient norm is {norm.item()}")
        optimizers[model].step()

    def teacher_share():
        with torch.no_grad():
            features = distiller.teacher_features(inputs, samples)
            if dense:
                return None if loss_fn is None else distiller.teacher.bbox_head(features)
            if two_stage:
                return None if loss_fn is None else teacher_answer(features, *captured['given'])
            # a DETR: what the distiller's own step runs (box distillation needs the decoder
            # without a logit loss; encoder features need the encoder without the decoder)
            if distiller.needs_teacher_encoder:
                features = distiller.teacher_encoder(features, samples)  # once, for both
            return teacher_answer(features, *captured['given']) if distiller.distils_queries \
                else None

    def connector_share():
        student_features = [level.clone().requires_grad_()
                            for level in captured['student_features']]
        losses = features_fn(student_features, captured['teacher_features'])
        sum(losses.values()).backward()

    steps = {'distill': lambda: train_step(distiller), 'student': lambda: train_step(student),
             'teacher': teacher_share}
    if features_fn is not None:
        steps['connector'] = connector_share
    # Interleaved rounds, so that drifts hit all three alike; the distiller's warm-up, first,
    # records the RoIs (initial boxes) the teacher's share then reuses.
    measured = measure_interleaved(steps, device, args.repeats)
    medians = {name: seconds for name, (seconds, _) in measured.items()}
    peaks = {name: peak for name, (_, peak) in measured.items()}
    teacher_mib = sum(t.numel() * t.element_size() for t in (
        *distiller.teacher.parameters(), *distiller.teacher.buffers())) / 2**20
    shares = [name for name in ('student', 'teacher', 'connector') if name in steps]

    machine = (torch.cuda.get_device_name(device) if device.type == 'cuda' else
               f'{platform.machine()} CPU, {torch.get_num_threads()} threads')
    if loss_fn is None:
        samples_said = 'no logit loss'
    elif two_stage:
        samples_said = f'{captured["given"][0].shape[0]} sampled RoIs'
    elif dense:
        samples_said = (f'{captured["selected"]} of {captured["all_rows"][0].shape[0]} priors '
                        'selected')
    else:
        queries = sum(points.shape[:2].numel() for points in captured['given'][0])
        samples_said = f'{captured["selected"]} of {queries} queries selected'
    print(f'{time.strftime("%Y-%m-%d")}, {machine}, torch {torch.__version__}; '
          f'{Path(args.config).name}; {args.batch} images of {width}x{height}, {samples_said}; '
          f'median of {args.repeats} interleaved rounds\n')
    print('| step | ms | peak MiB above resident |\n|---|---|---|')
    for name in (*shares, 'distill'):
        print(f'| {name} | {1e3 * medians[name]:.1f} | {peaks[name]:.1f} |')
    p2 = medians['distill'] / sum(medians[name] for name in shares)
    extra = teacher_mib + peaks['distill'] - peaks['student']
    p3 = extra / (teacher_mib + sum(peaks[name] for name in shares if name != 'student'))
    print(f'\nteacher weights {teacher_mib:.1f} MiB; distillation needs {extra:.1f} MiB more '
          f'than the student alone (teacher weights + distill peak - student peak)')

    if dense and loss_fn is not None:
        dense_loss_rows(loss_fn, captured, device, args.repeats)
    if args.variants and loss_fn is not None and two_stage:
        print('\n| teacher variant | teacher share ms | max abs logit diff | loss_ckd | '
              '|diff| to fp32 |\n|---|---|---|---|---|')
        reference = None
        for variant in args.variants:
            precision, _, layout = variant.partition('+')
            distiller.teacher_precision = precision
            distiller.teacher_channels_last = layout == 'channels_last'
            distiller.teacher.to(memory_format=torch.channels_last if layout else
                                 torch.contiguous_format)
            logits = teacher_share()
            # One variant at a time: they share the teacher, whose memory format changes.
            variant_times = [timed(teacher_share, device)
                             for _ in range(max(1, args.repeats // 3))]
            loss = loss_fn(captured['student_logits'], logits).item()
            if reference is None:
                reference = (logits, loss)
            print(f'| {variant} | {1e3 * statistics.median(variant_times):.1f} | '
                  f'{(logits - reference[0]).abs().max().item():.2e} | {loss:.6f} | '
                  f'{abs(loss - reference[1]):.2e} |', flush=True)
    if args.profile:
        profile_beyond_shares(steps, shares, device)
    print(f'P2={p2:.3f} P3={p3:.3f} '
          + ' '.join(f'{name}_ms={1e3 * medians[name]:.1f}' for name in (*shares, 'distill')))


def profile_beyond_shares(steps, shares, device, top=15):
    """Each step once under torch.profiler: the self time of every op (on the GPU when there
    is one, else on the CPU) in the distillation step minus the shares', largest first, and
    the host-side totals (a launch-bound step shows its excess there) and host syncs."""
    from torch.profiler import ProfilerActivity, profile
    gpu = device.type == 'cuda'
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if gpu else [])
    times, host, syncs = {}, {}, {}
    for name in (*shares, 'distill'):
        with profile(activities=activities) as profiled:
            steps[name]()
            if gpu:
                torch.cuda.synchronize(device)
        events = profiled.key_averages()
        times[name] = collections.Counter({event.key: (
            event.self_device_time_total if gpu else event.self_cpu_time_total)
            for event in events})
        host[name] = sum(event.self_cpu_time_total for event in events)
        syncs[name] = sum(event.count for event in events
                          if event.key == 'aten::_local_scalar_dense')
    extra = collections.Counter(times['distill'])
    for name in shares:
        extra.subtract(times[name])
    where = 'GPU' if gpu else 'CPU'
    print(f'\nprofiled once each: {where} self time, distill − shares, largest first\n'
          f'| op | distill us | shares us | difference us |\n|---|---|---|---|')
    for key, difference in sorted(extra.items(), key=lambda item: -abs(item[1]))[:top]:
        print(f'| {key} | {times["distill"][key]:.0f} | '
              f'{sum(times[name][key] for name in shares):.0f} | {difference:+.0f} |')
    print(f'{where} total: distill {sum(times["distill"].values()) / 1e3:.1f} ms, shares '
          f'{sum(sum(times[name].values()) for name in shares) / 1e3:.1f} ms; host (CPU) '
          f'self time: distill {host["distill"] / 1e3:.1f} ms, shares '
          f'{sum(host[name] for name in shares) / 1e3:.1f} ms; host syncs (.item() and the '
          f'like): distill {syncs["distill"]}, shares {sum(syncs[n] for n in shares)}')


def dense_loss_rows(loss_fn, captured, device, repeats):
    """The logit loss, forward and backward, on the selected rows and on every prior."""
    print('\n| loss on | rows N | columns C | ms (fwd+bwd) | peak MiB above inputs | '
          'peak / (N C 4 bytes) |\n|---|---|---|---|---|---|')
    student_all, teacher_all = captured['all_rows']
    cases = {'selected priors': (captured['student_logits'], captured['teacher_rows']),
             'all priors': (student_all, teacher_all)}
    for name, (student, teacher) in cases.items():
        student = student.clone().requires_grad_()

        def step():
            loss_fn(student, teacher).backward()

        step()
        seconds = statistics.median(timed(step, device) for _ in range(max(1, repeats // 3)))
        with Memory(device) as block:
            step()
        rows, columns = student.shape
        print(f'| {name} | {rows} | {columns} | {1e3 * seconds:.1f} | {block.peak_mib:.1f} | '
              f'{block.peak_mib * 2**20 / (rows * columns * 4):.2f} |', flush=True)


if __name__ == '__main__':
    main()
