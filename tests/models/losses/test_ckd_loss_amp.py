"""CKDLoss in an AMP training step (autocast + GradScaler, on the CPU): fp16 logits give
the float32 loss, and an fp16 overflow is either named or skipped by the scaler."""
import pytest
import torch

from ckd_mmdet.models.losses import CKDLoss


def amp_step(inputs, check_finite=True):
    """One AMP step of a Linear student against fixed teacher logits; returns the model's
    weights before and after, the loss, the logits' dtype and the scaler."""
    torch.manual_seed(0)
    model = torch.nn.Linear(5, 5)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler('cpu', init_scale=2.0**16)
    teacher = torch.randn(len(inputs), 5)
    before = [p.detach().clone() for p in model.parameters()]
    with torch.autocast('cpu', dtype=torch.float16):
        logits = model(inputs)  # the Linear runs in fp16 under autocast
        loss = CKDLoss(check_finite=check_finite)(logits, teacher)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return before, list(model.parameters()), loss, logits.dtype, scaler


def test_an_amp_step_takes_the_fp32_loss_of_fp16_logits():
    inputs = torch.randn(8, 5, generator=torch.Generator().manual_seed(1))
    before, after, loss, dtype, scaler = amp_step(inputs)
    assert dtype == torch.float16 and loss.dtype == torch.float32
    torch.manual_seed(0)
    fp16_logits = torch.nn.Linear(5, 5)(inputs).half()
    torch.testing.assert_close(loss, CKDLoss()(fp16_logits.float(), torch.randn(8, 5)),
                               rtol=0, atol=2e-3)  # only the fp16 rounding of the logits
    assert scaler.get_scale() == 2.0**16
    assert not any(torch.equal(a, b) for a, b in zip(before, after))  # the step was taken


def overflowing_inputs():
    inputs = torch.randn(8, 5, generator=torch.Generator().manual_seed(1))
    inputs[3] = 6e4  # finite in fp16; the fp16 Linear's output (-67851 for column 2) is not
    assert torch.isfinite(inputs.half()).all()
    return inputs


def test_an_fp16_overflow_is_named_by_default():
    with pytest.raises(FloatingPointError, match=r'1 of 8 student logit rows hold NaN or inf'
                                                 r'.*check_finite=False'):
        amp_step(overflowing_inputs())


def test_an_fp16_overflow_with_check_finite_off_is_skipped_by_the_grad_scaler():
    before, after, loss, _, scaler = amp_step(overflowing_inputs(), check_finite=False)
    assert not torch.isfinite(loss)
    assert scaler.get_scale() == 2.0**15  # the scaler found inf/NaN gradients, backed off
    assert all(torch.equal(a, b) for a, b in zip(before, after))  # and skipped the step
