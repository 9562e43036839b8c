"""PriorSelection selects what it says, against brute-force selections."""
import pytest
import torch

from ckd_mmdet.models.distillers import PriorSelection

NUM_CLASSES = 5


def rows_and_labels(seed=0, batch=3, priors=40):
    torch.manual_seed(seed)
    student = torch.randn(batch, priors, NUM_CLASSES, requires_grad=True)
    teacher = torch.randn(batch, priors, NUM_CLASSES)
    labels = torch.full((batch, priors), NUM_CLASSES)  # background
    labels[torch.rand(batch, priors) < 0.2] = 2
    labels[0, 0] = -1  # an ignored prior is not a positive
    return student, teacher, labels


def brute_force(teacher, labels, mode, topk):
    chosen = []
    for image in range(teacher.shape[0]):
        picked = set()
        if 'positives' in mode:
            picked |= {i for i, label in enumerate(labels[image].tolist())
                       if 0 <= label < NUM_CLASSES}
        if 'topk' in mode:
            scores = teacher[image].max(dim=1).values.tolist()
            picked |= set(sorted(range(len(scores)), key=lambda i: -scores[i])[:topk])
        if mode == 'all':
            picked = set(range(teacher.shape[1]))
        chosen += [(image, i) for i in sorted(picked)]  # image by image, prior order
    return chosen


@pytest.mark.parametrize('mode', ['positives', 'teacher_topk', 'positives+teacher_topk', 'all'])
def test_selects_image_by_image_in_prior_order(mode):
    student, teacher, labels = rows_and_labels()
    selection = PriorSelection(mode, topk=6, center=False, num_classes=NUM_CLASSES)
    got_student, got_teacher, extra = selection(student, teacher, labels)
    expected = brute_force(teacher, labels, mode, 6)
    assert extra == {}
    assert torch.equal(got_teacher, torch.stack([teacher[b, i] for b, i in expected]))
    assert torch.equal(got_student, torch.stack([student[b, i] for b, i in expected]))
    assert got_student.requires_grad


def test_topk_larger_than_the_priors_takes_them_all():
    student, teacher, labels = rows_and_labels(priors=4)
    got, _, _ = PriorSelection('teacher_topk', topk=10, center=False, num_classes=NUM_CLASSES)(
        student, teacher, labels)
    assert got.shape == (3 * 4, NUM_CLASSES)


def test_centerness_column_is_not_a_class_score_for_topk_or_weights():
    student, teacher, labels = rows_and_labels()
    huge = torch.cat([teacher, torch.full_like(teacher[..., :1], 100.0)], dim=2)
    selection = PriorSelection('teacher_topk', topk=3, weight='teacher_confidence',
                               center=False, num_classes=NUM_CLASSES)
    _, got, extra = selection(torch.cat([student, student[..., :1]], dim=2), huge, labels)
    expected = brute_force(teacher, labels, 'teacher_topk', 3)
    assert torch.equal(got[:, :NUM_CLASSES], torch.stack([teacher[b, i] for b, i in expected]))
    assert torch.all(extra['weight'] < 1)


def test_background_logit_and_confidence_weight():
    student, teacher, labels = rows_and_labels()
    selection = PriorSelection('positives', background_logit=-1.5, weight='teacher_confidence',
                               center=False, num_classes=NUM_CLASSES)
    got_student, got_teacher, extra = selection(student, teacher, labels)
    assert got_student.shape[1] == got_teacher.shape[1] == NUM_CLASSES + 1
    assert torch.all(got_student[:, -1] == -1.5) and torch.all(got_teacher[:, -1] == -1.5)
    confidence = got_teacher[:, :NUM_CLASSES].max(dim=1).values.sigmoid()
    assert torch.allclose(extra['weight'], confidence)
    assert torch.allclose(extra['avg_factor'], confidence.sum())


@pytest.mark.parametrize('options, message', [
    (dict(mode='negatives'), 'samples.mode'),
    (dict(mode='teacher_topk', topk=0), 'samples.topk'),
    (dict(weight='iou'), 'samples.weight'),
    (dict(avg_factor='rows'), 'samples.avg_factor'),
    (dict(avg_factor='positives', weight='teacher_confidence'), 'choose one'),
])
def test_bad_options_name_the_key(options, message):
    with pytest.raises(ValueError, match=message):
        PriorSelection(**options, num_classes=NUM_CLASSES)


def test_centred_rows_have_zero_mean_and_keep_their_differences():
    student, teacher, labels = rows_and_labels()
    plain = PriorSelection('positives', center=False, num_classes=NUM_CLASSES)(
        student, teacher, labels)
    got = PriorSelection('positives', num_classes=NUM_CLASSES)(
        student, teacher, labels)
    for centred, raw in zip(got[:2], plain[:2]):
        assert torch.allclose(centred.mean(dim=1), torch.zeros(len(raw)), atol=1e-6)
        assert torch.allclose(centred, raw - raw.mean(dim=1, keepdim=True))


def test_centring_leaves_a_centerness_column_out_of_the_class_mean():
    student, teacher, labels = rows_and_labels()
    centerness = torch.full_like(teacher[..., :1], 7.0)
    got_student, got_teacher, _ = PriorSelection('positives', num_classes=NUM_CLASSES)(
        torch.cat([student, centerness], dim=2), torch.cat([teacher, centerness], dim=2),
        labels)
    raw = PriorSelection('positives', center=False, num_classes=NUM_CLASSES)(
        student, teacher, labels)
    for got, classes in ((got_student, raw[0]), (got_teacher, raw[1])):
        assert torch.allclose(got[:, :NUM_CLASSES],
                              classes - classes.mean(dim=1, keepdim=True))
        assert torch.all(got[:, NUM_CLASSES] == 7.0)


def test_every_prior_normalised_by_the_positives_as_crosskd():
    student, teacher, labels = rows_and_labels()
    selection = PriorSelection('all', avg_factor='positives', center=False,
                               num_classes=NUM_CLASSES)
    assert selection.needs_labels
    got_student, _, extra = selection(student, teacher, labels)
    positives = ((labels >= 0) & (labels < NUM_CLASSES)).sum()
    assert got_student.shape[0] == labels.numel() and positives > 0
    assert extra == dict(avg_factor=positives.float())
    none = torch.full_like(labels, NUM_CLASSES)
    assert selection(student, teacher, none)[2]['avg_factor'] == 1  # never a division by 0


def objects_of(labels, seed=0):
    """A batch-wide object index for each positive (-1 elsewhere): 2 objects per image."""
    torch.manual_seed(seed)
    objects = torch.full(labels.shape, -1)
    positives = (labels >= 0) & (labels < NUM_CLASSES)
    for image in range(labels.shape[0]):
        objects[image][positives[image]] = 2 * image + torch.randint(
            2, (int(positives[image].sum()),))
    return objects


def test_twins_pool_gives_one_row_per_object_the_mean_of_its_positives():
    student, teacher, labels = rows_and_labels()
    objects = objects_of(labels)
    selection = PriorSelection(twins='pool', center=False, num_classes=NUM_CLASSES)
    got_student, got_teacher, extra = selection(student, teacher, labels, objects)
    expected_student, expected_teacher = [], []
    for image in range(labels.shape[0]):  # objects in order of their first positive
        order = []
        for i in range(labels.shape[1]):
            if objects[image, i] >= 0 and int(objects[image, i]) not in order:
                order.append(int(objects[image, i]))
        for obj in order:
            where = objects[image] == obj
            expected_student.append(student[image][where].mean(dim=0))
            expected_teacher.append(teacher[image][where].mean(dim=0))
    assert len(expected_student) > labels.shape[0]  # several objects: the test bites
    torch.testing.assert_close(got_student, torch.stack(expected_student))
    torch.testing.assert_close(got_teacher, torch.stack(expected_teacher))
    assert extra == {}
    got_student.sum().backward()  # the pooled rows still train the student
    assert student.grad is not None and student.grad.abs().sum() > 0


def test_twins_not_negatives_groups_each_objects_positives():
    student, teacher, labels = rows_and_labels()
    objects = objects_of(labels)
    selection = PriorSelection(twins='not_negatives', background_ratio=1.0, center=False,
                               num_classes=NUM_CLASSES)
    got_student, _, extra = selection(student, teacher, labels, objects)
    mask = selection.mask(teacher, labels)
    chosen = objects[mask]
    groups = extra['groups']
    assert groups.shape == (len(got_student),) and (chosen < 0).any()
    same = [[a == b and a >= 0 or i == j for j, b in enumerate(chosen.tolist())]
            for i, a in enumerate(chosen.tolist())]
    assert torch.equal(groups[:, None] == groups[None, :], torch.tensor(same))


@pytest.mark.parametrize('ratio', [0.5, 3.0])
def test_background_rows_are_the_teachers_most_confident_at_the_ratio(ratio):
    student, teacher, labels = rows_and_labels(priors=60)
    selection = PriorSelection(background_ratio=ratio, center=False, num_classes=NUM_CLASSES)
    mask = selection.mask(teacher, labels)
    for image in range(labels.shape[0]):
        positives = {i for i, label in enumerate(labels[image].tolist())
                     if 0 <= label < NUM_CLASSES}
        background = [i for i, label in enumerate(labels[image].tolist())
                      if label == NUM_CLASSES]
        count = min(round(ratio * len(positives)), len(background))
        score = teacher[image].max(dim=1).values.tolist()
        hardest = set(sorted(background, key=lambda i: -score[i])[:count])
        assert set(torch.nonzero(mask[image]).flatten().tolist()) == positives | hardest
    assert mask.sum() > ((labels >= 0) & (labels < NUM_CLASSES)).sum()


def test_random_background_rows_are_background_at_the_ratio_and_follow_the_seed():
    student, teacher, labels = rows_and_labels(priors=60)
    selection = PriorSelection(background_ratio=2.0, background_pick='random',
                               center=False, num_classes=NUM_CLASSES)
    torch.manual_seed(5)
    first = selection.mask(teacher, labels)
    torch.manual_seed(5)
    assert torch.equal(first, selection.mask(teacher, labels))
    positives = (labels >= 0) & (labels < NUM_CLASSES)
    picked = first & ~positives
    assert (labels[picked] == NUM_CLASSES).all()
    assert picked.sum(dim=1).tolist() == [min(round(2.0 * int(p)), int(b)) for p, b in zip(
        positives.sum(dim=1), (labels == NUM_CLASSES).sum(dim=1))]
    hardest = PriorSelection(background_ratio=2.0, center=False, num_classes=NUM_CLASSES)
    assert not torch.equal(first, hardest.mask(teacher, labels))


@pytest.mark.parametrize('options, message', [
    (dict(twins='merge'), 'samples.twins must be one of'),
    (dict(background_ratio=3, mode='all'), 'background_ratio needs mode positives'),
    (dict(background_ratio=0), 'a ratio > 0'),
    (dict(background_ratio=3, background_pick='hard'), 'background_pick must be one of')])
def test_grouping_and_background_options_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        PriorSelection(**options, num_classes=NUM_CLASSES)
