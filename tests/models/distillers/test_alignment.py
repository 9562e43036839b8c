"""The alignment scalars (teacher_acc, ckd_top1, distill_rows) and the one-time teacher check:
by hand on tiny rows, and in both distillers' loss dicts."""
import pytest
import torch
import torch.nn.functional as F
from helpers import TEACHER_CONFIG
from mmdet.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from test_single_stage_distiller import build as build_dense
from test_single_stage_distiller import batch as dense_batch
from test_two_stage_distiller import batch, build

from ckd_mmdet.models.distillers import alignment
from ckd_mmdet.models.distillers.alignment import (TeacherCheck, alignment_scalars,
                                                   majority_share, teacher_accuracy, top1_key)
from ckd_mmdet.models.distillers.recording import recording
from ckd_mmdet.models.losses import CKDLoss
from ckd_mmdet.runs import data_root_options


def warnings_of(monkeypatch):
    said = []
    monkeypatch.setattr(alignment, 'print_log', lambda message, **kw: said.append(message))
    return said


def expected_top1(student, teacher):
    """The share (%) of teacher rows whose nearest student row (cosine) is their own."""
    similarity = F.normalize(teacher, dim=1) @ F.normalize(student, dim=1).t()
    return (similarity.argmax(dim=1) == torch.arange(len(teacher))).float().mean() * 100


def test_accuracy_majority_and_keys_by_hand():
    logits = torch.tensor([[2.0, 0.0, 1.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [4.0, 0.0, 0.0]])
    labels = torch.tensor([0, 2, 2, 2])
    assert teacher_accuracy(logits, labels).item() == 50.0
    assert majority_share(labels).item() == 75.0
    assert teacher_accuracy(logits[:0], labels[:0]) is None
    assert top1_key('loss_ckd') == 'ckd_top1'
    assert top1_key('ckd_loss_roi') == 'ckd_roi_top1'  # no 'loss' left: never summed


def test_scalars_without_labelled_rows_and_with_rows_that_differ_per_loss():
    ckd = CKDLoss()
    ckd(torch.eye(3), torch.eye(3))  # every row its own nearest
    losses = [('loss_ckd', ckd), ('loss_kd', torch.nn.Identity())]
    scalars = alignment_scalars(losses, [3, 3], None, 'cpu')
    assert set(scalars) == {'distill_rows', 'ckd_top1'}  # no teacher_acc without labels
    assert scalars['distill_rows'].item() == 3.0 and scalars['ckd_top1'].item() == 100.0
    scalars = alignment_scalars(losses, [3, 40], torch.tensor(12.5), 'cpu')
    assert {key: value.item() for key, value in scalars.items()} == {
        'teacher_acc': 12.5, 'ckd_rows': 3.0, 'kd_rows': 40.0, 'ckd_top1': 100.0}
    ckd(torch.zeros(0, 3), torch.zeros(0, 3))  # no rows: no top-1 to report
    assert set(alignment_scalars(losses, [0, 0], None, 'cpu')) == {'distill_rows'}


class Teacher:
    data_preprocessor = None


def test_the_check_warns_once_for_a_trivial_teacher(monkeypatch):
    said = warnings_of(monkeypatch)
    check = TeacherCheck('TwoStageDistiller')
    labels = torch.tensor([3, 3, 3, 0, 1])
    always_three = F.one_hot(torch.full((5,), 3), 4).float()
    check(Teacher(), 'teacher.pth', always_three, labels, 'sampled RoIs')
    assert len(said) == 1
    assert ('classifies 60.0 % of the 5 sampled RoIs right, no better than always answering '
            'their most frequent label (60.0 %)') in said[0]
    assert 'teacher.pth' in said[0] and 'model.teacher_check=False' in said[0]
    check(Teacher(), 'teacher.pth', always_three, labels, 'sampled RoIs')
    assert len(said) == 1  # once


def test_the_check_passes_a_teacher_better_than_the_majority(monkeypatch):
    said = warnings_of(monkeypatch)
    check = TeacherCheck('TwoStageDistiller')
    labels = torch.tensor([3, 3, 3, 0, 1])
    check(Teacher(), None, F.one_hot(labels, 4).float(), labels, 'sampled RoIs')
    assert said == [] and not check.pending  # decided: it will not look again


def test_the_check_waits_for_rows_that_can_tell_and_warns_on_non_finite(monkeypatch):
    said = warnings_of(monkeypatch)
    check = TeacherCheck('SingleStageDistiller')
    one_label = torch.tensor([2, 2])
    check(Teacher(), None, F.one_hot(one_label, 4).float(), one_label, 'assigner positives')
    check(Teacher(), None, torch.zeros(0, 4), one_label[:0], 'assigner positives')
    assert said == [] and check.pending  # a perfect teacher would tie here: wait
    check(Teacher(), None, torch.tensor([[0.0, float('nan')]]), torch.tensor([1]),
          'assigner positives')
    assert len(said) == 1 and 'non-finite logits on the assigner positives' in said[0]
    silenced = TeacherCheck('SingleStageDistiller', enabled=False)
    silenced(Teacher(), None, torch.tensor([[0.0, float('nan')]]), torch.tensor([1]), 'rows')
    assert len(said) == 1


def test_two_stage_scalars_against_the_rows_the_losses_got(teacher_ckpt, monkeypatch):
    said = warnings_of(monkeypatch)
    distiller = build(teacher_ckpt)
    fed = []
    original = distiller.distill_loss.forward
    distiller.distill_loss.forward = lambda s, t, **kw: fed.append((s, t)) or original(
        s, t, **kw)
    with recording(distiller.roi_head.bbox_head, 'loss_and_target') as rois:
        losses = distiller(**batch(distiller), mode='loss')
    student, teacher = fed[0]
    labels = rois['result']['bbox_targets'][0]
    assert losses['distill_rows'].item() == len(labels) == 64
    torch.testing.assert_close(losses['teacher_acc'],
                               (teacher.argmax(1) == labels).float().mean() * 100)
    torch.testing.assert_close(losses['ckd_top1'], expected_top1(student.detach(), teacher))
    total, logged = distiller.parse_losses(losses)
    scalars = {'teacher_acc', 'ckd_top1', 'distill_rows'}
    without, _ = distiller.parse_losses({k: v for k, v in losses.items() if k not in scalars})
    torch.testing.assert_close(total, without)  # logged, not summed into the loss
    assert scalars <= set(logged)
    # the fixture's teacher has random weights: the check said so, once
    assert len(said) == 1 and 'no better than always answering' in said[0]
    distiller(**batch(distiller, seed=1), mode='loss')
    assert len(said) == 1


def random_dense_teacher(family, folder):
    """A checkpoint of ``family``'s tiny dense teacher with its random initial weights."""
    path = folder / f'{family}_teacher.pth'
    torch.save(dict(state_dict=build_dense(family).teacher.state_dict()), path)
    return path


def test_dense_scalars_per_loss_and_teacher_acc_on_the_positives(monkeypatch, tmp_path):
    said = warnings_of(monkeypatch)
    distiller = build_dense('gfl', teacher_ckpt=random_dense_teacher('gfl', tmp_path),
                            distill_loss=[dict(type='CKDLoss'),
                                          dict(type='SigmoidKDLoss', loss_weight=1.0)],
                            samples=[dict(mode='positives', center=True), dict(mode='all')])
    fed = []
    for loss in distiller.distill_loss:
        original = loss.forward
        loss.forward = (lambda original: lambda s, t, **kw: fed.append((s, t)) or original(
            s, t, **kw))(original)
    data = dense_batch(distiller)
    with recording(distiller, 'prior_logits') as rows, \
            recording(distiller.adapter, 'labels') as labels:
        losses = distiller(**data, mode='loss')
    teacher_rows, labels = rows['result'][1], labels['result']
    positives = (labels >= 0) & (labels < distiller.bbox_head.num_classes)
    assert losses['ckd_rows'].item() == int(positives.sum()) == len(fed[0][0])
    assert losses['sigmoid_kd_rows'].item() == labels.numel() == len(fed[1][0])
    torch.testing.assert_close(losses['teacher_acc'], (
        teacher_rows[positives].argmax(1) == labels[positives]).float().mean() * 100)
    torch.testing.assert_close(losses['ckd_top1'], expected_top1(fed[0][0].detach(),
                                                                 fed[0][1]))
    assert 'sigmoid_kd_top1' not in losses  # KD has no top-1
    assert len(said) == 1 and 'assigner positives' in said[0]  # random teacher


def test_teacher_check_false_silences_the_distillers(teacher_ckpt, monkeypatch, tmp_path):
    said = warnings_of(monkeypatch)
    distiller = build(teacher_ckpt, teacher_check=False)
    distiller(**batch(distiller), mode='loss')
    dense = build_dense('retinanet', teacher_check=False,
                        teacher_ckpt=random_dense_teacher('retinanet', tmp_path))
    dense(**dense_batch(dense), mode='loss')
    assert said == []


def test_no_check_without_a_teacher_checkpoint(monkeypatch):
    said = warnings_of(monkeypatch)  # teacher_ckpt=None warned when the teacher was built
    dense = build_dense('retinanet')
    dense(**dense_batch(dense), mode='loss')
    assert said == [] and 'teacher_acc' in dense(**dense_batch(dense), mode='loss')


@pytest.fixture(scope='module')
def shapes_batch_and_trained_teacher(shapes_root, tmp_path_factory):
    """The shapes set's 8 training images as one preprocessed batch, and a checkpoint of the
    tiny R-34 teacher trained on them (120 SGD steps; in 100, on this repo's 2-core machine,
    its accuracy on the first distillation step's RoIs went from the majority's 84.4 % to
    90.2 %)."""
    cfg = Config.fromfile(str(TEACHER_CONFIG))
    cfg.merge_from_dict(dict(option.split('=', 1) for option in data_root_options(shapes_root)))
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    torch.manual_seed(0)
    teacher = MODELS.build(cfg.model)
    teacher.init_weights()
    data = teacher.data_preprocessor(pseudo_collate([dataset[i] for i in range(len(dataset))]),
                                     True)
    optimizer = torch.optim.SGD(teacher.parameters(), lr=0.02, momentum=0.9, weight_decay=1e-4)
    teacher.train()
    for _ in range(120):
        loss, _ = teacher.parse_losses(teacher(**data, mode='loss'))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    path = tmp_path_factory.mktemp('trained_teacher') / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), path)
    return data, path


@pytest.mark.slow  # trains the tiny teacher
def test_the_check_warns_for_a_random_teacher_and_not_for_a_trained_one(
        shapes_batch_and_trained_teacher, teacher_ckpt, monkeypatch):
    data, trained = shapes_batch_and_trained_teacher
    said = warnings_of(monkeypatch)
    for checkpoint in (teacher_ckpt, trained):  # random weights, then trained
        distiller = build(checkpoint)
        with recording(distiller.roi_head.bbox_head, 'loss_and_target') as rois:
            losses = distiller(**data, mode='loss')
        majority = majority_share(rois['result']['bbox_targets'][0])
        if checkpoint == trained:
            assert len(said) == 1, said[1:]  # no second warning
            assert losses['teacher_acc'] >= majority + 3  # the margin this test relies on
        else:
            assert len(said) == 1 and str(teacher_ckpt) in said[0]
            assert losses['teacher_acc'] <= majority
