"""SigmoidKDLoss against a hand computation of CrossKD's soft-target loss."""
import math

import pytest
import torch

from ckd_mmdet import SigmoidKDLoss, sigmoid_kd_loss


def reference(student, teacher, beta):
    """Element by element: -(t log p + (1 - t) log(1 - p)) * |p - t|^beta, summed per row."""
    rows = []
    for s_row, t_row in zip(student.tolist(), teacher.tolist()):
        total = 0.0
        for s, t in zip(s_row, t_row):
            p, q = 1 / (1 + math.exp(-s)), 1 / (1 + math.exp(-t))
            total += -(q * math.log(p) + (1 - q) * math.log(1 - p)) * abs(p - q) ** beta
        rows.append(total)
    return torch.tensor(rows, dtype=torch.float64)


@pytest.mark.parametrize('beta', [0.0, 1.0, 2.0])
def test_matches_the_elementwise_formula(beta):
    torch.manual_seed(0)
    student, teacher = torch.randn(5, 7, dtype=torch.float64) * 3, torch.randn(5, 7) * 3
    got = sigmoid_kd_loss(student, teacher.double(), beta)
    assert torch.allclose(got, reference(student, teacher, beta), atol=1e-10)


def test_is_zero_when_the_student_matches_and_only_the_student_gets_gradients():
    torch.manual_seed(0)
    teacher = torch.randn(4, 6, requires_grad=True)
    student = teacher.detach().clone().requires_grad_(True)
    loss = SigmoidKDLoss(beta=1.0)(student, teacher)
    assert loss.item() == pytest.approx(0.0, abs=1e-7)
    (SigmoidKDLoss()(student + 1, teacher)).backward()
    assert teacher.grad is None and student.grad.abs().sum() > 0


def test_follows_the_mmdet_loss_contract():
    torch.manual_seed(0)
    student, teacher = torch.randn(6, 5), torch.randn(6, 5)
    per_sample = sigmoid_kd_loss(student, teacher)
    weight = torch.rand(6)
    loss = SigmoidKDLoss(loss_weight=2.0)
    assert torch.allclose(loss(student, teacher), 2 * per_sample.mean())
    assert torch.allclose(loss(student, teacher, reduction_override='sum'), 2 * per_sample.sum())
    assert torch.allclose(loss(student, teacher, weight=weight, avg_factor=3.0),
                          2 * (per_sample * weight).sum() / 3.0)
    assert loss(student, teacher, reduction_override='none').shape == (6, )
    empty = loss(student[:0].requires_grad_(), teacher[:0])
    assert empty.item() == 0 and empty.requires_grad


def test_bad_arguments_name_what_to_fix():
    with pytest.raises(ValueError, match='reduction'):
        SigmoidKDLoss(reduction='avg')
    with pytest.raises(ValueError, match='beta'):
        SigmoidKDLoss(beta=-1)
    with pytest.raises(ValueError, match='same shape'):
        SigmoidKDLoss()(torch.zeros(3, 4), torch.zeros(3, 5))
