"""What CKD's rows ask of a dense student: for trained students of one distillation config, on
its val images, each row choice's CKD loss beside its floor (the same loss when the student's
rows equal the teacher's: no student can go below it), and how often a teacher row's most
similar student row, among those the loss contrasts it with, is its own (top-1) or one of its
object's priors (object top-1).

    python benchmarks/dense_rows.py \\
        work_dirs/distill_quality_gfl/CKD_seed0_28c3b512aba5/ckd_gfl_r34-r18-narrow_shapes.py \\
        work_dirs/distill_quality_gfl/{student_alone,KD,CKD}_seed[01]_*/iter_6000.pth

The config is the run's own copy (its teacher_ckpt is the run's teacher). Students are read
with BN running statistics and no dropout (``reading_mode``), the val images through the
config's test pipeline in batches of the training batch size, so a batch has as many rows as
a training step. ``query_rows.py`` is this for DETR students.
"""
import argparse
import platform
import sys
from datetime import date
from pathlib import Path

import torch
import torch.nn.functional as F
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from ckd_mmdet.models.distillers.prior_selection import PriorSelection  # noqa: E402
from ckd_mmdet.models.distillers.recording import recording  # noqa: E402
from ckd_mmdet.models.losses.ckd_loss import (  # noqa: E402
    contrastive_similarity, dense_contrastive_cross_entropy)

# each row choice: its PriorSelection options beside the config's, and whether the loss
# leaves an object's priors out of each other's negatives ('not_negatives' also gives the
# loss each row's object, which the statistics read)
ROWS = {'positives (the default)': (dict(twins='not_negatives'), False),
        'one row per object': (dict(twins='pool'), False),
        'twins not negatives': (dict(twins='not_negatives'), True),
        '+ background 3:1 (teacher)': (dict(twins='not_negatives', background_ratio=3.0),
                                       False)}


def row_statistics(student, teacher, objects=None, twins_apart=False, tau=1.0, weight=None):
    """(N, C) student and teacher rows, ``objects`` (N,) the object of each row (None: each
    row its own) → {rows, loss, floor, top1, object_top1}; ``twins_apart``: the rows of one
    object are not each other's negatives (``CKDLoss(groups=objects)``); ``weight`` (N,):
    the loss's per-row weights (e.g. the teacher's confidence), which the loss and its floor
    average with, as the loss does (top-1 counts every row alike)."""
    student, teacher = F.normalize(student.float(), dim=1), F.normalize(teacher.float(), dim=1)
    own = torch.arange(len(student))
    objects = own if objects is None else objects
    groups = objects if twins_apart else None
    weight = torch.ones(len(student)) if weight is None else weight.float()
    similarity = contrastive_similarity(teacher, student, tau, groups)
    best = similarity.argmax(dim=1)
    floor = dense_contrastive_cross_entropy(teacher, teacher, tau, groups=groups)

    def weighted_mean(per_row):
        return ((per_row * weight).sum() / weight.sum()).item()

    return dict(rows=len(student),
                loss=weighted_mean(F.cross_entropy(similarity, own, reduction='none')),
                floor=weighted_mean(floor),
                top1=(best == own).float().mean().item(),
                object_top1=(objects[best] == objects).float().mean().item())


def batches(dataset, size, images):
    for start in range(0, min(images, len(dataset)), size):
        yield pseudo_collate([dataset[i] for i in range(start, min(start + size, images))])


def distil_every_row_choice(model, choices=ROWS):
    """Makes ``model`` compute its CKD loss once per row choice of ``choices``, in that
    order, from one student and one teacher forward (the distiller's list of losses and
    samples); a choice's options replace the config's."""
    base = {key: value for key, value in vars(model.samples).items()
            if key in ('mode', 'topk', 'center', 'background_pick')}
    model.distill_loss = nn.ModuleList([model.distill_loss] * len(choices))
    model.distill_loss_name = [f'loss_ckd_{i}' for i in range(len(choices))]
    model.samples = [PriorSelection(**{**base, **options},
                                    num_classes=model.bbox_head.num_classes)
                     for options, _ in choices.values()]


def reading_mode(model):
    """Training mode (a DINO computes its loss only so: its denoising queries, which the
    matching queries never attend to) with every normalisation and dropout layer in eval mode:
    BN running statistics, no dropout, as eval mode gives a dense student."""
    model.train()
    for module in model.modules():
        if isinstance(module, (nn.modules.batchnorm._BatchNorm, nn.Dropout)):
            module.eval()


def measure(model, dataset, batch_size, images, choices=ROWS):
    """{row choice: batch means of ``row_statistics``} of a model prepared by
    ``distil_every_row_choice`` with ``choices``."""
    totals = {rows: {} for rows in choices}
    for count, batch in enumerate(batches(dataset, batch_size, images), 1):
        batch = model.data_preprocessor(batch, True)
        with torch.no_grad(), recording(model.distill_loss[0], 'forward') as record:
            model.loss(batch['inputs'], batch['data_samples'])
        for (rows, (_, twins_apart)), call in zip(choices.items(), record['calls']):
            statistics = row_statistics(call['student_logits'], call['teacher_logits'],
                                        call.get('groups'),  # the object of each row
                                        twins_apart, model.distill_loss[0].tau,
                                        call.get('weight'))
            for key, value in statistics.items():
                totals[rows][key] = totals[rows].get(key, 0) + value
    return {rows: {key: value / count for key, value in found.items()}
            for rows, found in totals.items()}


def main(choices=ROWS, doc=__doc__, distiller='a SingleStageDistiller'):
    """The command line of this script and of those that measure other row ``choices`` (its
    ``doc`` and the ``distiller`` its config names)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument('config', help=f'{distiller} config with one CKDLoss')
    parser.add_argument('checkpoints', nargs='+', help='student checkpoints (plain detectors)')
    parser.add_argument('--images', type=int, default=200, help='val images read')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    parser.add_argument('--out', type=Path, help='also write the table to this file')
    args = parser.parse_args()
    torch.manual_seed(0)
    import ckd_mmdet  # noqa: F401  (registers the distillers)
    from mmdet.registry import DATASETS, MODELS
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    if type(model.distill_loss).__name__ != 'CKDLoss':
        raise SystemExit(f'{args.config}: model.distill_loss must be one CKDLoss, got '
                         f'{type(model.distill_loss).__name__}')
    model.init_weights()  # loads the teacher
    reading_mode(model)
    distil_every_row_choice(model, choices)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    batch_size = cfg.train_dataloader.batch_size
    lines = [f'Measured {date.today()} on {platform.machine()}, {torch.get_num_threads()} '
             f'thread(s), no GPU used; command: `python benchmarks/{Path(sys.argv[0]).name} '
             f'{" ".join(sys.argv[1:])}`.', '',
             f'{min(args.images, len(dataset))} val images in batches of {batch_size}; means '
             'over batches. Floor: the loss when the student\'s rows equal the teacher\'s.', '',
             '| rows | student | rows per batch | CKD loss | floor | top-1 | object top-1 |',
             '|---|---|---|---|---|---|---|']
    for checkpoint in args.checkpoints:
        state = torch.load(checkpoint, map_location='cpu', weights_only=False)
        model.load_state_dict(state.get('state_dict', state), strict=True)
        name = Path(checkpoint).parent.name
        for rows, found in measure(model, dataset, batch_size, args.images, choices).items():
            lines.append(f'| {rows} | {name} | {found["rows"]:.1f} | {found["loss"]:.3f} | '
                         f'{found["floor"]:.3f} | {found["top1"]:.3f} | '
                         f'{found["object_top1"]:.3f} |')
            print(lines[-1], flush=True)
    if args.out:
        args.out.write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
