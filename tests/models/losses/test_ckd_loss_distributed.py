"""CKDLoss(gather_negatives=True) in 2 CPU processes (gloo) against one process."""
import pytest
import torch
from helpers import run_in_gloo_processes

from ckd_mmdet.models.losses import CKDLoss, ckd_loss

ROWS = (5, 3)  # rows per rank: unequal on purpose, the last batch of an epoch can be


def batch():
    generator = torch.Generator().manual_seed(0)
    return (torch.randn(sum(ROWS), 7, generator=generator),
            torch.randn(sum(ROWS), 7, generator=generator))


def worker(rank):
    student, teacher = batch()
    start = sum(ROWS[:rank])
    mine = slice(start, start + ROWS[rank])
    local_student = student[mine].clone().requires_grad_(True)
    per_row = CKDLoss(gather_negatives=True, reduction='none', tau=0.5)(
        local_student, teacher[mine])
    per_row.sum().backward()
    grad = local_student.grad.clone()
    local_student.grad = None
    mean = CKDLoss(gather_negatives=True, tau=0.5, loss_weight=2.0)(  # the default 'mean'
        local_student, teacher[mine])
    mean.backward()
    mean_grad = local_student.grad.clone()
    # A process without rows still joins the collectives (no deadlock) and gets 0.
    empty = CKDLoss(gather_negatives=True)(
        local_student[:0] if rank == 1 else local_student, teacher[mine][:0]
        if rank == 1 else teacher[mine])
    empty.backward()
    return per_row.detach(), grad, empty.item(), mean.item(), mean_grad


@pytest.mark.slow  # two processes
def test_gathered_negatives_equal_one_process_on_the_concatenated_batch(tmp_path):
    results = run_in_gloo_processes(worker, len(ROWS), tmp_path)
    student, teacher = batch()
    student.requires_grad_(True)
    expected = ckd_loss(student, teacher, tau=0.5)
    expected.sum().backward()
    got_loss = torch.cat([results[rank][0] for rank in range(len(ROWS))])
    got_grad = torch.cat([results[rank][1] for rank in range(len(ROWS))])
    torch.testing.assert_close(got_loss, expected.detach(), rtol=0, atol=1e-6)
    # Each rank's gradient includes what the other rank's anchors send back to its rows.
    torch.testing.assert_close(got_grad, student.grad, rtol=0, atol=1e-6)
    assert results[1][2] == 0.0
    # 'mean' over unequal row counts: what DDP averages over the ranks (their logged losses,
    # their gradients) is the mean over the concatenated batch, not a mean of two means.
    student.grad = None
    (2.0 * ckd_loss(student, teacher, tau=0.5).mean()).backward()
    ranks = len(ROWS)
    torch.testing.assert_close(sum(results[rank][3] for rank in range(ranks)) / ranks,
                               2.0 * expected.mean().item(), rtol=1e-6, atol=0)
    got_mean_grad = torch.cat([results[rank][4] for rank in range(ranks)]) / ranks
    torch.testing.assert_close(got_mean_grad, student.grad, rtol=0, atol=1e-7)
    # Without gathering, each rank contrasts only its own rows: a different loss.
    local = ckd_loss(student[:ROWS[0]], teacher[:ROWS[0]], tau=0.5)
    assert not torch.allclose(local, expected[:ROWS[0]])


def test_gathering_is_a_no_op_without_a_process_group():
    student, teacher = batch()
    torch.testing.assert_close(CKDLoss(gather_negatives=True)(student, teacher),
                               CKDLoss()(student, teacher))
