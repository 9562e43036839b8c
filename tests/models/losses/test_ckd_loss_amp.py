"""fp16 overflow under AMP: CKDLoss's two documented behaviours."""
import pytest
import torch

from ckd_mmdet.models.losses import CKDLoss


def overflowed_logits():
    student = torch.randn(8, 5, dtype=torch.float16)
    student[3, 2] = torch.finfo(torch.float16).max * 2  # overflows to inf in fp16
    return student.requires_grad_(True), torch.randn(8, 5, dtype=torch.float16)


def test_overflow_raises_naming_the_input_by_default():
    student, teacher = overflowed_logits()
    with pytest.raises(FloatingPointError, match=r'1 of 8 student logit rows hold NaN or inf'
                                                 r'.*check_finite=False'):
        CKDLoss()(student, teacher)


def test_overflow_with_check_finite_off_is_skipped_by_the_grad_scaler():
    model = torch.nn.Linear(5, 5)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler('cpu', init_scale=2.0**16)
    before = [p.detach().clone() for p in model.parameters()]
    student, teacher = overflowed_logits()
    loss = CKDLoss(check_finite=False)(model(student.float()), teacher)
    assert not torch.isfinite(loss)
    scaler.scale(loss).backward()
    scaler.step(optimizer)  # finds inf/NaN gradients: skips the step
    scaler.update()
    assert scaler.get_scale() == 2.0**15  # and backs off the scale
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
