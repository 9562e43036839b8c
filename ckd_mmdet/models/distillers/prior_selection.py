# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Which dense priors (or DETR queries) become distillation samples, and how their rows are
prepared."""
import inspect
from typing import List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

MODES = ('positives', 'teacher_topk', 'positives+teacher_topk', 'all')
WEIGHTS = (None, 'teacher_confidence')
AVG_FACTORS = (None, 'positives')
TWINS = (None, 'not_negatives', 'pool')
BACKGROUND_PICKS = ('teacher', 'random')


class PriorSelection:
    """Selects priors per image and pools them over the batch (image by image).

    Args:
        mode (str): 'positives' (the student's assigner positives), 'teacher_topk' (the
            ``topk`` priors of each image with the highest teacher class score),
            'positives+teacher_topk' (their union) or 'all' (every prior: the ablation,
            affordable through CKDLoss's streaming path).
        topk (int): Priors per image for the teacher_topk modes.
        background_logit (float, optional): Appends this constant column to the teacher's and
            the student's rows before the loss, so rows have a background direction.
        weight (str, optional): 'teacher_confidence' weights each row by the teacher's highest
            class probability (sigmoid) and averages by their sum.
        center (bool): Subtract from each row's class columns their mean (teacher and
            student; a centerness column is left as it is), the default:
            sigmoid rows share a large negative offset (every class unlikely) that otherwise
            dominates the cosine; centred, rows compare their pattern over the classes. On the
            shapes GFL pair raw rows lost 1.6 mAP to the student alone, centred rows gained
            0.7 (docs/results.md).
        avg_factor (str, optional): 'positives': the loss's 'mean' divides its summed rows by
            the number of assigner positives of the batch instead of the selected rows, as
            CrossKD normalises its KD on every prior (``mode='all'``). None: by the rows.
        twins (str, optional): What to do with the positives assigned to the same
            ground-truth box (up to 9 per object on ATSS/GFL), which the official CKD never
            has to tell apart: None, each is a row and a negative of the others (the
            default); 'not_negatives', each is a row but not a negative of its twins (the
            loss gets ``groups``: CKDLoss); 'pool', one row per object, the mean of its
            positives' logits (student and teacher alike).
        background_ratio (float, optional): Also distil this many background priors (the
            assigner's negatives) per positive of each image, as the official RoI rows are
            about three background to one object; needs mode 'positives'.
        background_pick (str): Which background priors: 'teacher' (where the teacher's
            highest class score is largest: its hardest negatives) or 'random'.
        num_classes (int): Class columns (columns beyond them, e.g. centerness, never count
            as class scores).
    """

    def __init__(self, mode: str = 'positives', topk: int = 100,
                 background_logit: Optional[float] = None, weight: Optional[str] = None,
                 center: bool = True, avg_factor: Optional[str] = None,
                 twins: Optional[str] = None, background_ratio: Optional[float] = None,
                 background_pick: str = 'teacher', *, num_classes: int) -> None:
        if mode not in MODES:
            raise ValueError(f'samples.mode must be one of {MODES}, got {mode!r}')
        if weight not in WEIGHTS:
            raise ValueError(f'samples.weight must be one of {WEIGHTS}, got {weight!r}')
        if 'topk' in mode and not (isinstance(topk, int) and topk > 0):
            raise ValueError(f'samples.topk must be a positive int for mode {mode!r}, '
                             f'got {topk!r}')
        if avg_factor not in AVG_FACTORS:
            raise ValueError(f'samples.avg_factor must be one of {AVG_FACTORS}, got '
                             f'{avg_factor!r}')
        if avg_factor is not None and weight is not None:
            raise ValueError(f'samples.avg_factor={avg_factor!r} and samples.weight={weight!r} '
                             'both set the divisor of the loss: choose one')
        if twins not in TWINS:
            raise ValueError(f'samples.twins must be one of {TWINS}, got {twins!r}')
        if background_ratio is not None:
            if mode != 'positives' or not background_ratio > 0:
                raise ValueError(f'samples.background_ratio needs mode positives and a ratio > '
                                 f'0, got mode {mode!r}, ratio {background_ratio!r}')
            if background_pick not in BACKGROUND_PICKS:
                raise ValueError(f'samples.background_pick must be one of {BACKGROUND_PICKS}, '
                                 f'got {background_pick!r}')
        self.mode, self.topk, self.weight, self.avg_factor = mode, topk, weight, avg_factor
        self.twins, self.background_pick = twins, background_pick
        self.background_ratio = None if background_ratio is None else float(background_ratio)
        self.background_logit = None if background_logit is None else float(background_logit)
        self.center = bool(center)
        self.num_classes = num_classes

    @property
    def needs_labels(self) -> bool:
        return 'positives' in self.mode or self.avg_factor == 'positives'

    @property
    def needs_objects(self) -> bool:
        return self.twins is not None

    def positives(self, labels: Tensor) -> Tensor:
        return (labels >= 0) & (labels < self.num_classes)

    def mask(self, teacher_rows: Tensor, labels: Optional[Tensor]) -> Tensor:
        """(B, priors) bool: the selected priors."""
        if self.mode == 'all':
            return torch.ones(teacher_rows.shape[:2], dtype=torch.bool,
                              device=teacher_rows.device)
        mask = torch.zeros(teacher_rows.shape[:2], dtype=torch.bool, device=teacher_rows.device)
        if 'positives' in self.mode:
            mask |= self.positives(labels)
        if 'teacher_topk' in self.mode:
            score = teacher_rows[..., :self.num_classes].max(dim=2).values
            top = score.topk(min(self.topk, score.shape[1]), dim=1).indices
            mask.scatter_(1, top, True)
        if self.background_ratio is not None:
            mask |= self.background(teacher_rows, labels)
        return mask

    def background(self, teacher_rows: Tensor, labels: Tensor) -> Tensor:
        """(B, priors) bool: per image, ``background_ratio`` x its positives (rounded) of
        its background priors, the teacher's most confident or random ones."""
        candidates = labels == self.num_classes
        if self.background_pick == 'teacher':
            score = teacher_rows[..., :self.num_classes].max(dim=2).values.float()
        else:  # the run's seeded generator: the same picks for the same seed
            score = torch.rand(labels.shape, device=labels.device)
        score = score.masked_fill(~candidates, float('-inf'))
        mask = torch.zeros_like(candidates)
        wanted = (self.positives(labels).sum(dim=1) * self.background_ratio).round().long()
        wanted = torch.minimum(wanted, candidates.sum(dim=1))
        for image, count in enumerate(wanted.tolist()):
            if count:
                mask[image, score[image].topk(count).indices] = True
        return mask

    def loss_weights(self, teacher: Tensor, labels: Optional[Tensor]) -> dict:
        """The ``weight``/``avg_factor`` keywords of a loss on the selected (M, C) teacher
        rows ``teacher`` (empty when neither is set)."""
        if self.weight == 'teacher_confidence':
            weight = teacher[:, :self.num_classes].max(dim=1).values.float().sigmoid()
            return dict(weight=weight, avg_factor=weight.sum().clamp(min=1e-6))
        if self.avg_factor == 'positives':
            return dict(avg_factor=self.positives(labels).sum().clamp(min=1).float())
        return {}

    def __call__(self, student_rows: Tensor, teacher_rows: Tensor,
                 labels: Optional[Tensor] = None,
                 objects: Optional[Tensor] = None) -> Tuple[Tensor, Tensor, dict]:
        """(B, priors, C) rows of both → the selected (M, C') rows of both, and the
        ``weight``/``avg_factor``/``groups`` keywords for the loss (empty when none).
        ``objects`` (B, priors): the batch-wide index of the ground-truth box each positive
        is assigned to, -1 elsewhere (needed by ``twins``)."""
        mask = self.mask(teacher_rows, labels)
        student, teacher = student_rows[mask], teacher_rows[mask]
        extra = {}
        if self.twins is not None:
            groups = _singles_apart(objects[mask])
            if self.twins == 'pool':
                student, teacher = _group_means(student, groups), _group_means(teacher, groups)
            else:
                extra['groups'] = groups
        extra.update(self.loss_weights(teacher, labels))
        if self.center:
            student, teacher = _center_classes(student, self.num_classes), \
                _center_classes(teacher, self.num_classes)
        if self.background_logit is not None:
            column = student.new_full((student.shape[0], 1), self.background_logit)
            student = torch.cat([student, column], dim=1)
            teacher = torch.cat([teacher, column.to(teacher.dtype)], dim=1)
        return student, teacher, extra


def build_selections(samples: Union[dict, Sequence[dict]], num_losses: int,
                     num_classes: int) -> Union[PriorSelection, List[PriorSelection]]:
    """A distiller's ``samples`` setting as one ``PriorSelection`` (a dict: the same rows for
    every loss), or a list of one per logit loss (a list of dicts)."""
    keys = list(inspect.signature(PriorSelection).parameters)[:-1]
    configs = samples if isinstance(samples, (list, tuple)) else [samples]
    if isinstance(samples, (list, tuple)) and len(samples) != num_losses:
        raise ValueError(f'samples: a list needs one dict per distill_loss ({num_losses}), '
                         f'got {len(samples)}')
    for config in configs:
        unknown = set(config) - set(keys)
        if unknown:
            raise ValueError(f'samples: unknown keys {sorted(unknown)}; it takes '
                             f'{", ".join(keys)}')
    built = [PriorSelection(**config, num_classes=num_classes) for config in configs]
    return built if isinstance(samples, (list, tuple)) else built[0]


def per_loss(selections: Union[PriorSelection, List[PriorSelection]],
             num_losses: int) -> List[PriorSelection]:
    """The selection of each logit loss, in the order of ``distill_loss``."""
    if isinstance(selections, list):
        return selections
    return [selections] * max(1, num_losses)


def _singles_apart(objects: Tensor) -> Tensor:
    """Group ids: the object index where there is one (>= 0), a new id for each other row."""
    singles = objects < 0
    first_free = int(objects.max()) + 1 if objects.numel() else 0
    return objects.masked_scatter(singles, torch.arange(
        first_free, first_free + int(singles.sum()), device=objects.device))


def _group_means(rows: Tensor, groups: Tensor) -> Tensor:
    """One row per group (in the order of first appearance): the mean of its rows."""
    unique, inverse = torch.unique(groups, return_inverse=True)
    first = torch.full_like(unique, rows.shape[0]).scatter_reduce(
        0, inverse, torch.arange(rows.shape[0], device=rows.device), 'amin')
    sums = rows.new_zeros(len(unique), rows.shape[1]).index_add(0, inverse, rows)
    counts = torch.bincount(inverse, minlength=len(unique)).to(rows.dtype)
    return (sums / counts[:, None])[first.argsort()]


def _center_classes(rows: Tensor, num_classes: int) -> Tensor:
    classes = rows[:, :num_classes]
    return torch.cat([classes - classes.mean(dim=1, keepdim=True), rows[:, num_classes:]],
                     dim=1)
