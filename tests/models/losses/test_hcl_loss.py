"""HCLLoss against a line-by-line reference of ReviewKD's ``hcl`` (ZhouXinzzzzz/CKD
detection/model/reviewkd.py) and a case computed by hand."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.registry import MODELS

from ckd_mmdet import HCLLoss, hcl_loss


def reference_hcl(fstudent, fteacher):
    loss_all = 0.0
    for fs, ft in zip(fstudent, fteacher):
        h = fs.shape[2]
        loss = F.mse_loss(fs, ft, reduction='mean')
        cnt, tot = 1.0, 1.0
        for pooled in [4, 2, 1]:
            if pooled >= h:
                continue
            cnt /= 2.0
            loss += F.mse_loss(F.adaptive_avg_pool2d(fs, (pooled, pooled)),
                               F.adaptive_avg_pool2d(ft, (pooled, pooled)),
                               reduction='mean') * cnt
            tot += cnt
        loss_all = loss_all + loss / tot
    return loss_all


def pyramid(seed, sizes=((20, 24), (10, 12), (5, 6), (3, 3), (2, 1), (1, 2)), channels=8):
    generator = torch.Generator().manual_seed(seed)
    return [torch.randn(2, channels, h, w, generator=generator) for h, w in sizes]


def test_matches_the_reference_on_all_pooling_cases():
    # heights 20, 10, 5 pool to 4/2/1; 3 to 2/1; 2 to 1; 1 to nothing (width is ignored)
    student, teacher = pyramid(0), pyramid(1)
    torch.testing.assert_close(hcl_loss(student, teacher), reference_hcl(student, teacher),
                               rtol=1e-6, atol=0)


def test_gradient_matches_the_reference():
    student = [level.requires_grad_() for level in pyramid(2)]
    teacher = pyramid(3)
    ours = torch.autograd.grad(hcl_loss(student, teacher), student)
    reference = torch.autograd.grad(reference_hcl(student, teacher), student)
    for a, b in zip(ours, reference):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-9)


def test_constant_offset_by_hand():
    # Every map and every pooled map differs by d everywhere: each MSE is d^2, the weighted
    # average per level is d^2, the sum over 3 levels 3 d^2; loss_weight scales it.
    d = 0.5
    teacher = pyramid(4, sizes=((16, 16), (3, 5), (1, 1)))
    student = [level + d for level in teacher]
    loss = HCLLoss(loss_weight=1.2)(student, teacher)
    torch.testing.assert_close(loss, torch.tensor(1.2 * 3 * d * d))


def test_registered_and_zero_on_equal_maps():
    loss = MODELS.build(dict(_scope_='mmdet', type='HCLLoss', loss_weight=2.0))
    teacher = pyramid(5)
    assert loss(teacher, teacher).item() == 0.0
    assert loss.pool_sizes == (4, 2, 1)


@pytest.mark.parametrize('pool_sizes', [(), (1,), (8, 4, 2, 1)])
def test_other_pool_sizes(pool_sizes):
    student, teacher = pyramid(6, sizes=((12, 12),)), pyramid(7, sizes=((12, 12),))
    s, t = student[0], teacher[0]
    expected, weight, total = F.mse_loss(s, t), 1.0, 1.0
    for size in pool_sizes:
        weight /= 2
        expected = expected + weight * F.mse_loss(F.adaptive_avg_pool2d(s, size),
                                                  F.adaptive_avg_pool2d(t, size))
        total += weight
    torch.testing.assert_close(hcl_loss(student, teacher, pool_sizes), expected / total)
