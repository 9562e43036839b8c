"""FrozenTeacherMixin is the one piece a distiller needs to hold a teacher: shown here on a
bare single-stage detector (a tiny RetinaNet) that adds nothing else, as a new distiller
would start; and the class-order check of its checkpoint."""
import copy

import pytest
import torch
from mmdet.models.detectors import SingleStageDetector
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules
from mmengine.hub import get_config
from mmengine.registry import DefaultScope

from ckd_mmdet import FrozenTeacherMixin

register_all_modules()


@pytest.fixture(autouse=True)
def mmdet_scope():
    """Build in mmdet's scope whatever scope earlier tests (Runners) left as the default."""
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


class DenseDistiller(FrozenTeacherMixin, SingleStageDetector):
    """All a dense distiller has to write to hold its teacher."""

    def __init__(self, teacher_config, teacher_ckpt=None, **student):
        super().__init__(**student)
        self._init_teacher(teacher_config, teacher_ckpt)


def tiny_retinanet(depth):
    cfg = get_config('mmdet::retinanet/retinanet_r50_fpn_1x_coco.py').model
    cfg.backbone.update(depth=depth, init_cfg=None)
    cfg.neck.update(in_channels=[64, 128, 256, 512], out_channels=32)
    cfg.bbox_head.update(in_channels=32, feat_channels=32, stacked_convs=1, num_classes=12)
    return cfg


@pytest.fixture(scope='module')
def dense_teacher_ckpt(tmp_path_factory):
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'):
        teacher = MODELS.build(tiny_retinanet(34))
    path = tmp_path_factory.mktemp('dense_teacher') / 'retinanet_r34.pth'
    torch.save(dict(state_dict=teacher.state_dict()), path)
    return path


def build(teacher_ckpt):
    student = tiny_retinanet(18)
    student.pop('type')
    distiller = DenseDistiller(teacher_config=tiny_retinanet(34), teacher_ckpt=str(teacher_ckpt),
                               **student)
    distiller.init_weights()
    return distiller


def test_a_single_stage_student_holds_a_frozen_teacher(dense_teacher_ckpt):
    distiller = build(dense_teacher_ckpt)
    plain = MODELS.build(tiny_retinanet(18))
    assert set(distiller.state_dict()) == set(plain.state_dict())  # plain student keys
    assert set(map(id, distiller.parameters())).isdisjoint(map(id, distiller.teacher.parameters()))
    saved = torch.load(dense_teacher_ckpt)['state_dict']
    for key, value in distiller.teacher.state_dict().items():
        assert torch.equal(value, saved[key]), key  # loaded in init_weights
    distiller.train()
    assert distiller.training and not any(m.training for m in distiller.teacher.modules())
    distiller.to(torch.float64)
    assert next(distiller.teacher.parameters()).dtype == torch.float64


def test_teacher_features_align_with_the_students_levels(dense_teacher_ckpt):
    distiller = build(dense_teacher_ckpt)
    torch.manual_seed(0)
    packed = demo_mm_inputs(batch_size=2, image_shapes=(3, 96, 96), num_items=[2, 2],
                            num_classes=12)
    data = distiller.data_preprocessor(packed, True)
    before = copy.deepcopy(distiller.teacher.state_dict())
    teacher_levels = distiller.teacher_features(data['inputs'], data['data_samples'])
    student_levels = distiller.extract_feat(data['inputs'])
    assert [t.shape for t in teacher_levels] == [s.shape for s in student_levels]
    assert len(teacher_levels) == 5 and not any(t.requires_grad for t in teacher_levels)
    assert all(torch.equal(v, before[k]) for k, v in distiller.teacher.state_dict().items())


CLASSES = [f'class_{i}' for i in range(12)]


def checkpoint_with(tmp_path, source, meta):
    checkpoint = torch.load(source)
    checkpoint['meta'] = meta
    path = tmp_path / 'teacher.pth'
    torch.save(checkpoint, path)
    return path


@pytest.mark.parametrize('meta', [dict(dataset_meta=dict(classes=CLASSES)),
                                  dict(CLASSES=tuple(CLASSES))])  # mmdet 3 and mmdet 2
def test_the_checkpoints_class_order_is_checked_against_the_training_sets(
        tmp_path, dense_teacher_ckpt, meta):
    distiller = build(checkpoint_with(tmp_path, dense_teacher_ckpt, meta))
    assert distiller.teacher_classes == CLASSES
    distiller.check_teacher_classes(tuple(CLASSES))  # the same: nothing to say
    swapped = [*CLASSES[:5], CLASSES[6], CLASSES[5], *CLASSES[7:]]
    with pytest.raises(ValueError, match="DenseDistiller: teacher_ckpt .*teacher.pth was "
                       "trained on other classes .* class 5 is 'class_5' for the teacher and "
                       "'class_6' for the training set"):
        distiller.check_teacher_classes(swapped)
    with pytest.raises(ValueError, match="class 12 is nothing \\(it has 12\\) for the teacher "
                       "and 'extra' for the training set"):
        distiller.check_teacher_classes([*CLASSES, 'extra'])


def test_an_unknown_class_order_is_said_in_one_line(tmp_path, dense_teacher_ckpt, monkeypatch):
    from ckd_mmdet.models.distillers import teacher_checkpoint
    said = []
    monkeypatch.setattr(teacher_checkpoint, 'print_log', lambda message, **kw: said.append(
        message))
    build(dense_teacher_ckpt).check_teacher_classes(CLASSES)  # a checkpoint without names
    with_names = build(checkpoint_with(tmp_path, dense_teacher_ckpt,
                                       dict(dataset_meta=dict(classes=CLASSES))))
    with_names.check_teacher_classes(None)  # a data set without metainfo classes
    assert said == [
        "DenseDistiller: teacher_ckpt carries no class names (meta.dataset_meta.classes), so "
        "the teacher's class order could not be checked against the training set's",
        "DenseDistiller: the training set has no metainfo classes, so the teacher's class "
        "order could not be checked against the training set's"]


def test_the_hook_checks_the_model_against_the_train_dataloaders_classes(
        tmp_path, dense_teacher_ckpt):
    from types import SimpleNamespace

    from ckd_mmdet import TeacherClassesHook
    distiller = build(checkpoint_with(tmp_path, dense_teacher_ckpt,
                                      dict(dataset_meta=dict(classes=CLASSES))))

    def runner(model, classes):
        return SimpleNamespace(model=model, train_dataloader=SimpleNamespace(
            dataset=SimpleNamespace(metainfo=dict(classes=classes))))

    TeacherClassesHook().before_train(runner(distiller, CLASSES))
    with pytest.raises(ValueError, match='class 0 is'):
        TeacherClassesHook().before_train(runner(distiller, CLASSES[::-1]))
    TeacherClassesHook().before_train(runner(MODELS.build(tiny_retinanet(18)), CLASSES[::-1]))
