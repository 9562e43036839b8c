"""benchmarks/dense_rows.py's statistics against a hand computation on three rows, and
query_rows.py's row choices on a DETR pair whose teacher is the student."""
import math
import sys
import warnings

import pytest
import torch
from helpers import REPO, detr_distiller_model, detr_model
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules

sys.path.insert(0, str(REPO / 'benchmarks'))
import query_rows  # noqa: E402
from dense_rows import (distil_every_row_choice, measure, reading_mode,  # noqa: E402
                        row_statistics)

TEACHER = torch.tensor([[1., 0.], [0., 1.], [1., 1.]])
SWAPPED = TEACHER[[1, 0, 2]] * 3  # rows 0 and 1 exchanged; the scale is normalised away
DIAGONAL = 1 / math.sqrt(2)  # cosine of [1, 1] with either axis


def test_a_student_equal_to_its_teacher_is_at_the_floor():
    found = row_statistics(TEACHER.clone(), TEACHER)
    assert found['loss'] == pytest.approx(found['floor'])
    assert found['top1'] == found['object_top1'] == 1.0 and found['rows'] == 3
    # row 0 against [1, 0, 1/sqrt2], row 1 likewise, row 2 against [1/sqrt2, 1/sqrt2, 1]
    edge = math.log(math.e + 1 + math.exp(DIAGONAL)) - 1
    middle = math.log(2 * math.exp(DIAGONAL) + math.e) - 1
    assert found['floor'] == pytest.approx((2 * edge + middle) / 3, abs=1e-6)


def test_swapped_twins_miss_their_own_row_but_find_their_object():
    objects = torch.tensor([0, 0, 1])
    found = row_statistics(SWAPPED, TEACHER, objects)
    assert found['top1'] == pytest.approx(1 / 3) and found['object_top1'] == 1.0
    # row 0's own student row is [0, 1]: cosines [0, 1, 1/sqrt2], its own 0
    edge = math.log(1 + math.e + math.exp(DIAGONAL))
    middle = math.log(2 * math.exp(DIAGONAL) + math.e) - 1
    assert found['loss'] == pytest.approx((2 * edge + middle) / 3, abs=1e-6)


def test_twins_apart_leaves_an_objects_rows_out_of_each_others_contrast():
    objects = torch.tensor([0, 0, 1])
    found = row_statistics(SWAPPED, TEACHER, objects, twins_apart=True)
    # row 0 sees its own row (cosine 0) and row 2 (1/sqrt2): it picks row 2, another object
    assert found['top1'] == found['object_top1'] == pytest.approx(1 / 3)
    edge = math.log(1 + math.exp(DIAGONAL))
    middle = math.log(2 * math.exp(DIAGONAL) + math.e) - 1
    assert found['loss'] == pytest.approx((2 * edge + middle) / 3, abs=1e-6)
    assert found['floor'] == pytest.approx(
        (2 * (math.log(math.e + math.exp(DIAGONAL)) - 1) + middle) / 3, abs=1e-6)


def test_weights_average_the_loss_and_its_floor_as_the_loss_does():
    weight = torch.tensor([2., 0., 1.])
    found = row_statistics(SWAPPED, TEACHER, weight=weight)
    edge = math.log(1 + math.e + math.exp(DIAGONAL))  # rows 0, 1 (see above); row 2 at floor
    middle = math.log(2 * math.exp(DIAGONAL) + math.e) - 1
    assert found['loss'] == pytest.approx((2 * edge + middle) / 3, abs=1e-6)
    floor_edge = math.log(math.e + 1 + math.exp(DIAGONAL)) - 1
    assert found['floor'] == pytest.approx((2 * floor_edge + middle) / 3, abs=1e-6)
    assert found['top1'] == pytest.approx(1 / 3)  # every row counts alike


def test_every_query_row_choice_of_a_student_equal_to_its_teacher_is_at_its_floor():
    register_all_modules()
    same = detr_model('dino', deterministic=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # teacher_ckpt None
        model = MODELS.build(dict(detr_distiller_model('dino', teacher=same),
                                  **{key: same[key] for key in ('backbone', 'encoder',
                                                                'decoder')}))
        model.init_weights()
    model.teacher.load_state_dict(model.state_dict())
    reading_mode(model)
    distil_every_row_choice(model, query_rows.ROWS)
    torch.manual_seed(0)
    packed = demo_mm_inputs(batch_size=2, image_shapes=(3, 96, 96), num_items=[3, 2],
                            num_classes=12)
    images = [dict(inputs=image, data_samples=sample)
              for image, sample in zip(packed['inputs'], packed['data_samples'])]
    found = measure(model, images, batch_size=2, images=2, choices=query_rows.ROWS)
    assert list(found) == list(query_rows.ROWS)
    rows = [statistics['rows'] for statistics in found.values()]
    assert rows[0] == 5 and rows[2] == rows[3] == 2 * model.num_queries  # one per object; all
    assert 5 < rows[1] <= 5 + 2 * 10  # the matched and each image's teacher top-10, once
    for choice, statistics in found.items():
        assert statistics['loss'] == pytest.approx(statistics['floor'], abs=1e-3), choice
    assert found['matched queries (the default)']['top1'] == 1.0
    weighted, plain = (found[f'every query{suffix}'] for suffix in (
        ', teacher-confidence weights', ''))
    assert weighted['floor'] != pytest.approx(plain['floor'])  # the weights reach the floor
