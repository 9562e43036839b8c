"""gather_rows in 2 CPU processes (gloo): concatenation by rank, gradients summed back."""
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from ckd_mmdet.models.losses.gather_rows import gather_rows

ROWS = (3, 2)  # unequal on purpose: padding must not leak into the result


def rows_of(rank):
    return torch.arange(ROWS[rank] * 4, dtype=torch.float32).view(-1, 4) + 100 * rank


def weights_of(rank):  # what each rank multiplies the gathered rows by before summing
    return torch.full((sum(ROWS), 4), float(rank + 1)) * torch.arange(1, sum(ROWS) + 1)[:, None]


def worker(rank, init_file, results):
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank,
                            world_size=len(ROWS))
    try:
        mine = rows_of(rank).requires_grad_(True)
        offset, gathered = gather_rows(mine)
        (gathered * weights_of(rank)).sum().backward()
        results[rank] = (offset, gathered.detach(), mine.grad.clone())
    finally:
        dist.destroy_process_group()


@pytest.mark.slow  # two processes
def test_gather_concatenates_by_rank_and_sums_gradients(tmp_path):
    results = mp.Manager().dict()
    mp.spawn(worker, args=(str(tmp_path / 'init'), results), nprocs=len(ROWS), join=True)
    everything = torch.cat([rows_of(rank) for rank in range(len(ROWS))])
    total_weight = sum(weights_of(rank) for rank in range(len(ROWS)))
    for rank in range(len(ROWS)):
        offset, gathered, grad = results[rank]
        assert offset == sum(ROWS[:rank])
        assert torch.equal(gathered, everything)
        # d/d(my rows) of every rank's sum(gathered * weights): the weights of my rows, summed
        assert torch.equal(grad, total_weight[offset:offset + ROWS[rank]])
