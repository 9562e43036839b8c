"""benchmarks/dense_rows.py's statistics against a hand computation on three rows."""
import math
import sys

import pytest
import torch

from helpers import REPO

sys.path.insert(0, str(REPO / 'benchmarks'))
from dense_rows import row_statistics  # noqa: E402

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
