"""gather_rows in 2 CPU processes (gloo): concatenation by rank, gradients summed back."""
import pytest
import torch
from helpers import run_in_gloo_processes

from ckd_mmdet.models.losses.gather_rows import gather_rows

ROWS = (3, 2)  # unequal on purpose: padding must not leak into the result


def rows_of(rank):
    return torch.arange(ROWS[rank] * 4, dtype=torch.float32).view(-1, 4) + 100 * rank


def weights_of(rank):  # what each rank multiplies the gathered rows by before summing
    return torch.full((sum(ROWS), 4), float(rank + 1)) * torch.arange(1, sum(ROWS) + 1)[:, None]


def worker(rank):
    mine = rows_of(rank).requires_grad_(True)
    offset, gathered = gather_rows(mine)
    (gathered * weights_of(rank)).sum().backward()
    return offset, gathered.detach(), mine.grad.clone()


@pytest.mark.slow  # two processes
def test_gather_concatenates_by_rank_and_sums_gradients(tmp_path):
    results = run_in_gloo_processes(worker, len(ROWS), tmp_path)
    everything = torch.cat([rows_of(rank) for rank in range(len(ROWS))])
    total_weight = sum(weights_of(rank) for rank in range(len(ROWS)))
    for rank in range(len(ROWS)):
        offset, gathered, grad = results[rank]
        assert offset == sum(ROWS[:rank])
        assert torch.equal(gathered, everything)
        # d/d(my rows) of every rank's sum(gathered * weights): the weights of my rows, summed
        assert torch.equal(grad, total_weight[offset:offset + ROWS[rank]])
