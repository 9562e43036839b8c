import importlib
import math

import pytest
import torch
from mmengine.registry import DefaultScope

from ckd_mmdet.models.losses import CKDLoss, ckd_loss


def naive_ckd(student, teacher, tau=1.0, groups=None):
    """Per-row loop over plain Python floats, written from the paper's formula; with
    ``groups``, a row's negatives skip the other rows of its group."""
    s = student.double().tolist()
    t = teacher.double().tolist()

    def unit(v):
        norm = math.sqrt(sum(x * x for x in v))
        return [x / norm for x in v]

    s, t = [unit(v) for v in s], [unit(v) for v in t]
    losses = []
    for i, anchor in enumerate(t):
        sims = [sum(a * b for a, b in zip(anchor, row)) / tau for row in s]
        if groups is not None:
            sims = [x if j == i or groups[j] != groups[i] else -math.inf
                    for j, x in enumerate(sims)]
        log_denominator = math.log(sum(math.exp(x) for x in sims))
        losses.append(log_denominator - sims[i])
    return torch.tensor(losses, dtype=torch.float64)


def logits(n=6, c=5, seed=0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, c, generator=g, dtype=dtype),
            torch.randn(n, c, generator=g, dtype=dtype))


@pytest.mark.parametrize('tau', [1.0, 0.5, 2.0])
def test_matches_naive_loop(tau):
    student, teacher = logits(n=7, c=4, seed=1)
    expected = naive_ckd(student, teacher, tau)
    got = ckd_loss(student, teacher, tau)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got.double(), expected, rtol=1e-5, atol=1e-6)
    module = CKDLoss(tau=tau)
    torch.testing.assert_close(module(student, teacher).double(), expected.mean(),
                               rtol=1e-5, atol=1e-6)


def test_hand_computed_2x2():
    # T = I, S = [[1, 1], [0, 1]]: normalised S rows are (1/√2, 1/√2) and (0, 1), so
    # M = [[1/√2, 0], [1/√2, 1]] and loss_i = log(1 + exp(M_ij - M_ii)) for the other j.
    teacher = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    student = torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    r = 1 / math.sqrt(2)
    expected = [math.log(1 + math.exp(0 - r)), math.log(1 + math.exp(r - 1))]
    assert expected == pytest.approx([0.40083, 0.55739], abs=1e-5)
    torch.testing.assert_close(ckd_loss(student, teacher), torch.tensor(expected))
    assert CKDLoss()(student, teacher).item() == pytest.approx(sum(expected) / 2, rel=1e-6)


def test_gradcheck_float64():
    student, teacher = logits(n=5, c=3, seed=2, dtype=torch.float64)
    student.requires_grad_(True)
    assert ckd_loss(student, teacher).dtype == torch.float64
    assert torch.autograd.gradcheck(lambda s: ckd_loss(s, teacher, 0.7), (student,))
    assert torch.autograd.gradcheck(lambda s: CKDLoss(tau=1.3)(s, teacher), (student,))


def test_teacher_receives_no_gradient():
    student, teacher = logits()
    student.requires_grad_(True)
    teacher.requires_grad_(True)
    CKDLoss()(student, teacher).backward()
    assert teacher.grad is None
    assert student.grad is not None and student.grad.abs().sum() > 0


def test_joint_permutation_invariant():
    student, teacher = logits(n=9, c=6, seed=3)
    perm = torch.randperm(9, generator=torch.Generator().manual_seed(0))
    assert not torch.equal(perm, torch.arange(9))
    per_sample = ckd_loss(student, teacher)
    torch.testing.assert_close(ckd_loss(student[perm], teacher[perm]), per_sample[perm])
    torch.testing.assert_close(CKDLoss()(student[perm], teacher[perm]), per_sample.mean())


def test_matching_student_beats_random_student():
    student, teacher = logits(n=16, c=8, seed=4)
    assert CKDLoss()(teacher.clone(), teacher) < CKDLoss()(student, teacher)


def test_reductions_weight_and_avg_factor():
    student, teacher = logits(n=6, seed=5)
    per_sample = ckd_loss(student, teacher)
    loss = CKDLoss(loss_weight=3.0)
    torch.testing.assert_close(loss(student, teacher, reduction_override='none'), 3 * per_sample)
    torch.testing.assert_close(loss(student, teacher, reduction_override='sum'),
                               3 * per_sample.sum())
    torch.testing.assert_close(loss(student, teacher), 3 * per_sample.mean())
    # avg_factor replaces N as the divisor of 'mean' (mmdet contract, eps included).
    torch.testing.assert_close(loss(student, teacher, avg_factor=2.0),
                               3 * per_sample.sum() / 2, rtol=1e-5, atol=0)
    weight = torch.tensor([0.0, 1.0, 2.0, 0.0, 1.0, 0.5])
    torch.testing.assert_close(loss(student, teacher, weight=weight),
                               3 * (per_sample * weight).mean())
    torch.testing.assert_close(CKDLoss(reduction='sum')(student, teacher, weight=weight),
                               (per_sample * weight).sum())
    with pytest.raises(ValueError, match='avg_factor can not be used with reduction="sum"'):
        CKDLoss(reduction='sum')(student, teacher, avg_factor=2.0)


def test_invalid_arguments_are_named():
    with pytest.raises(ValueError, match="reduction must be one of.*'avg'"):
        CKDLoss(reduction='avg')
    with pytest.raises(ValueError, match='tau must be > 0'):
        CKDLoss(tau=0.0)
    student, teacher = logits()
    with pytest.raises(ValueError, match="reduction_override.*'batchmean'"):
        CKDLoss()(student, teacher, reduction_override='batchmean')
    with pytest.raises(ValueError, match=r'weight must have shape \(6,\), got \(6, 1\)'):
        CKDLoss()(student, teacher, weight=torch.ones(6, 1))


@pytest.mark.parametrize('student_shape,teacher_shape',
                         [((4, 81), (4, 80)), ((4, 81), (5, 81)), ((4, 3, 2), (4, 3, 2))])
def test_shape_errors_name_both_shapes(student_shape, teacher_shape):
    with pytest.raises(ValueError) as info:
        CKDLoss()(torch.randn(student_shape), torch.randn(teacher_shape))
    assert f'student {student_shape}' in str(info.value)
    assert f'teacher {teacher_shape}' in str(info.value)


def test_tau_scales_the_similarities():
    # Documented behaviour: loss = CE(M / tau); tau -> inf flattens every row to log N and
    # the loss stays inside [log(1 + (N-1)e^(-2/tau)), log(1 + (N-1)e^(2/tau))].
    n = 12
    student, teacher = logits(n=n, c=10, seed=6)
    for tau in (0.25, 1.0, 4.0):
        value = CKDLoss(tau=tau)(student, teacher).item()
        assert math.log(1 + (n - 1) * math.exp(-2 / tau)) <= value
        assert value <= math.log(1 + (n - 1) * math.exp(2 / tau))
    assert CKDLoss(tau=1e4)(student, teacher).item() == pytest.approx(math.log(n), rel=1e-4)
    # A matching student gets sharper (lower) loss as tau falls.
    matched = [CKDLoss(tau=tau)(teacher.clone(), teacher).item() for tau in (2.0, 1.0, 0.5)]
    assert matched[0] > matched[1] > matched[2]


def test_empty_batch_gives_zero_loss_that_backpropagates():
    student = torch.randn(0, 81, requires_grad=True)
    loss = CKDLoss(loss_weight=0.1)(student, torch.randn(0, 81))
    assert loss.shape == () and loss.item() == 0.0 and loss.grad_fn is not None
    loss.backward()
    assert torch.equal(student.grad, torch.zeros(0, 81))
    assert CKDLoss(reduction='none')(student, torch.randn(0, 81)).shape == (0,)


def test_single_sample_is_zero():
    student, teacher = logits(n=1)
    assert CKDLoss()(student, teacher).item() == pytest.approx(0.0, abs=1e-7)


def test_all_zero_rows_give_finite_loss_and_gradient():
    student, teacher = logits(n=4)
    student[1] = 0
    teacher[2] = 0
    student.requires_grad_(True)
    loss = CKDLoss()(student, teacher)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(student.grad).all()


@pytest.mark.parametrize('bad', [float('nan'), float('inf')])
def test_non_finite_logits(bad):
    student, teacher = logits()
    teacher[3, 1] = bad
    with pytest.raises(FloatingPointError, match='1 of 6 teacher logit rows hold NaN or inf'):
        CKDLoss()(student, teacher)
    # Opted out: the NaN reaches the loss, where AMP's GradScaler can skip the step.
    assert torch.isnan(CKDLoss(check_finite=False)(student, teacher))


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_half_precision_inputs_give_the_float32_result(dtype):
    student, teacher = logits(n=64, c=81, seed=7)
    student_half, teacher_half = student.to(dtype), teacher.to(dtype)
    reference = CKDLoss()(student_half.float(), teacher_half.float())
    got = CKDLoss()(student_half, teacher_half)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, reference, rtol=1e-6, atol=1e-6)
    # Under autocast the similarity matrix must still be float32.
    with torch.autocast('cpu', dtype=torch.bfloat16):
        autocast_value = CKDLoss()(student_half, teacher_half)
    assert autocast_value.dtype == torch.float32
    torch.testing.assert_close(autocast_value, reference, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('scope', ['mmdet', 'mmrazor', 'mmpretrain'])
def test_builds_from_every_registry_scope(scope):
    registry = importlib.import_module(f'{scope}.registry').MODELS
    loss = registry.build(dict(type='CKDLoss', loss_weight=10.0, tau=2.0, reduction='sum'))
    assert type(loss) is CKDLoss
    assert (loss.loss_weight, loss.tau, loss.reduction) == (10.0, 2.0, 'sum')
    # As a config does it: the default scope picks the registry.
    with DefaultScope.overwrite_default_scope(scope):
        from mmdet.registry import MODELS
        assert type(MODELS.build(dict(type='CKDLoss'))) is CKDLoss


def test_extreme_tau_falls_back_to_the_stable_dense_form():
    student, teacher = logits(n=8, c=4, seed=4)
    got = ckd_loss(student, teacher, tau=0.01)  # exp(1 / tau) would overflow float32
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got.double(), naive_ckd(student, teacher, 0.01), rtol=1e-4,
                               atol=1e-4)


def test_groups_leave_twins_out_of_each_others_negatives():
    student, teacher = logits(n=7, c=4, seed=3)
    groups = [0, 0, 1, 2, 2, 2, 3]
    expected = naive_ckd(student, teacher, 1.0, groups)
    assert not torch.allclose(expected, naive_ckd(student, teacher))  # the mask matters
    got = ckd_loss(student, teacher, groups=torch.tensor(groups))
    torch.testing.assert_close(got.double(), expected, rtol=1e-5, atol=1e-6)
    module = CKDLoss(loss_weight=0.5)
    torch.testing.assert_close(module(student, teacher, groups=torch.tensor(groups)).double(),
                               0.5 * expected.mean(), rtol=1e-5, atol=1e-6)
    # every row its own group: plain CKD
    torch.testing.assert_close(ckd_loss(student, teacher, groups=torch.arange(7)),
                               ckd_loss(student, teacher))
    # rows that are all one group have no negatives left: a loss of exactly 0
    same = ckd_loss(student[:3], teacher[:3], groups=torch.zeros(3, dtype=torch.long))
    torch.testing.assert_close(same, torch.zeros(3))


def test_groups_are_checked():
    student, teacher = logits(n=4, c=3)
    with pytest.raises(ValueError, match=r'groups must be integers of shape \(4,\)'):
        CKDLoss()(student, teacher, groups=torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match='groups must be integers'):
        CKDLoss()(student, teacher, groups=torch.zeros(4))
    with pytest.raises(ValueError, match='gather_negatives'):
        CKDLoss(gather_negatives=True)(student, teacher, groups=torch.arange(4))


def test_module_records_the_share_of_top1_rows():
    # 3 teacher rows; rows 0 and 2 have their own student row nearest, row 1 has row 2's
    teacher = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    student = torch.tensor([[1.0, 0.1, 0.0], [1.0, 0.0, 0.5], [0.0, 0.3, 1.0]])
    loss = CKDLoss(loss_weight=0.1)
    assert loss.top1 is None  # before the first call
    loss(student, teacher)
    assert loss.top1.item() == pytest.approx(200 / 3)
    assert not loss.top1.requires_grad
    loss(student[:1], teacher[:1])
    assert loss.top1.item() == 100.0  # one row is always its own nearest
    loss(student[:0], teacher[:0])
    assert loss.top1 is None  # no rows: nothing to report
