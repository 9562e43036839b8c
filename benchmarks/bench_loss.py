"""CKDLoss forward+backward against the matrix products it cannot avoid, and against KD/DKD.

For N samples and C classes CKD needs the N x C x N product of the normalised logits (forward)
and one product of the N x N gradient with the teacher (backward; the teacher is detached, so
there is no third). Those two products, timed alone on the same shapes, are the floor; every
loss is timed forward+backward on the same inputs in the same run, interleaved, and reported
as a ratio to that floor. Peak memory is the high-water mark above the inputs: CUDA's
allocator statistics on GPUs, the process's resident set (VmHWM, reset before each
measurement) on CPUs.

The last line holds the headline numbers as name=value pairs:
  P1_n2048, P1_n8192     CKDLoss / bare products at C = 81 (goal <= 1.3)
  textbook_n2048, ...    the straightforward normalise -> matmul -> cross_entropy, same ratio
  P4_extra_mb            streaming path, N = 32768, C = 81, memory above the inputs (<= 512)
  P4_max_abs_diff        its largest difference to the dense result, loss and gradient (<= 1e-5)

    python benchmarks/bench_loss.py                     # this machine's CPU, a few minutes
    python benchmarks/bench_loss.py --device cuda --sizes 512 2048 8192 32768 65536
"""
import argparse
import platform
import time

from measure import Memory, measure_interleaved, restart_with_fixed_mmap_threshold

restart_with_fixed_mmap_threshold()  # before torch allocates anything

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from ckd_mmdet.models.losses.ckd_loss import (  # noqa: E402
    ckd_loss, dense_contrastive_cross_entropy)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=[512, 2048, 8192])
    parser.add_argument('--classes', type=int, nargs='+', default=[81, 1001])
    parser.add_argument('--device', default='cpu')
    parser.add_argument("--repeats", type=int, default=7, help='timed runs; the median counts')
    parser.add_argument('--large', type=int, default=32768,
                        help='N of the memory-bounded check (P4); 0 skips it')
    parser.add_argument('--gather-procs', type=int, default=2,
                        help='processes (gloo, CPU) for the gather_negatives cost; 0 skips it')
    parser.add_argument('--gather-rows', type=int, default=1024, help='rows per process')
    return parser.parse_args()


def kd_loss(student, teacher, temperature=4.0):
    """Hinton KD, as mmdet's KnowledgeDistillationKLDivLoss and mdistiller compute it."""
    return F.kl_div(F.log_softmax(student / temperature, 1), F.softmax(teacher / temperature, 1),
                    reduction='batchmean') * temperature**2


def dkd_loss(student, teacher, labels, alpha=1.0, beta=8.0, temperature=4.0):
    """Decoupled KD (mdistiller's dkd_loss): target-class and non-target-class KL terms."""
    target = F.one_hot(labels, student.shape[1]).bool()
    p_s, p_t = F.softmax(student / temperature, 1), F.softmax(teacher / temperature, 1)
    binary_s = torch.stack([(p_s * target).sum(1), (p_s * ~target).sum(1)], 1)
    binary_t = torch.stack([(p_t * target).sum(1), (p_t * ~target).sum(1)], 1)
    tckd = F.kl_div(binary_s.log(), binary_t, reduction='batchmean')
    nckd = F.kl_div(F.log_softmax(student / temperature - 1000.0 * target, 1),
                    F.softmax(teacher / temperature - 1000.0 * target, 1), reduction='batchmean')
    return (alpha * tckd + beta * nckd) * temperature**2


def textbook_ckd(student, teacher):
    return dense_contrastive_cross_entropy(F.normalize(teacher.detach(), dim=1),
                                           F.normalize(student, dim=1))


def bench_shape(num_samples, num_classes, device, repeats):
    generator = torch.Generator().manual_seed(num_samples + num_classes)
    student = torch.randn(num_samples, num_classes, generator=generator).to(device)
    teacher = torch.randn(num_samples, num_classes, generator=generator).to(device)
    labels = torch.randint(num_classes, (num_samples,), generator=generator).to(device)
    student.requires_grad_(True)
    s_hat, t_hat = F.normalize(student.detach(), dim=1), F.normalize(teacher, dim=1)
    grad_similarity = torch.rand(num_samples, num_samples, generator=generator).to(device)

    def backward(loss):
        loss.backward()
        student.grad = None

    methods = {
        'forward product, S T^T': lambda: s_hat @ t_hat.t(),
        'forward product, T S^T': lambda: t_hat @ s_hat.t(),
        'backward product, G T': lambda: grad_similarity @ t_hat,
        'backward product, G^T T': lambda: grad_similarity.t() @ t_hat,
        'CKDLoss': lambda: backward(ckd_loss(student, teacher).mean()),
        'CKDLoss, streaming': lambda: backward(ckd_loss(student, teacher,
                                                        streaming_threshold=0).mean()),
        'textbook CKD': lambda: backward(textbook_ckd(student, teacher).mean()),
        'KD (T=4)': lambda: backward(kd_loss(student, teacher)),
        'DKD (T=4)': lambda: backward(dkd_loss(student, teacher, labels)),
    }
    results = measure_interleaved(methods, device, repeats)
    # Either memory order of each product, whichever is faster here: the floor is the best
    # the two products can do.
    forward = min((results[k] for k in list(methods)[:2]), key=lambda r: r[0])
    backward_product = min((results[k] for k in list(methods)[2:4]), key=lambda r: r[0])
    floor = forward[0] + backward_product[0]
    rows = {'bare products (floor)': (floor, max(forward[1], backward_product[1]))}
    rows.update({name: results[name] for name in list(methods)[4:]})
    return floor, rows


def bench_large(num_samples, num_classes, device):
    """Streaming path at large N: memory above the inputs and its difference to dense."""
    generator = torch.Generator().manual_seed(0)
    student = torch.randn(num_samples, num_classes, generator=generator).to(device)
    teacher = torch.randn(num_samples, num_classes, generator=generator).to(device)
    student.requires_grad_(True)
    weights = torch.rand(num_samples, generator=generator).to(device)
    start = time.perf_counter()
    with Memory(device) as memory:
        loss = ckd_loss(student, teacher)  # above the threshold: streams by itself
        (loss * weights).sum().backward()
    seconds = time.perf_counter() - start
    grad, student.grad = student.grad, None
    # The dense result, row block by row block: each row's cross-entropy depends on its own
    # row only, so the blocks' losses and summed gradients are the dense ones exactly.
    s_hat = F.normalize(student, dim=1)
    t_hat = F.normalize(teacher, dim=1)
    diffs = []
    for rows in torch.arange(num_samples, device=device).split(2048):
        similarity = t_hat[rows] @ s_hat.t()
        dense = F.cross_entropy(similarity, rows, reduction='none')
        (dense * weights[rows]).sum().backward(retain_graph=True)
        diffs.append((dense.detach() - loss[rows].detach()).abs().max().item())
    diffs.append((student.grad - grad).abs().max().item())
    return memory.peak_mib, max(diffs), seconds


def gather_worker(rank, procs, rows, repeats, init_file, results):
    import torch.distributed as dist

    from ckd_mmdet.models.losses import CKDLoss
    torch.set_num_threads(1)  # one core per process
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank,
                            world_size=procs)
    generator = torch.Generator().manual_seed(rank)
    student = torch.randn(rows, 81, generator=generator).requires_grad_(True)
    teacher = torch.randn(rows, 81, generator=generator)
    losses = {'per process': CKDLoss(), 'gather_negatives': CKDLoss(gather_negatives=True)}

    def step(loss):
        loss(student, teacher).backward()
        student.grad = None

    timed = measure_interleaved({name: (lambda loss=loss: step(loss))
                                 for name, loss in losses.items()}, torch.device('cpu'),
                                repeats)
    results[rank] = {name: seconds for name, (seconds, _) in timed.items()}
    dist.destroy_process_group()


def bench_gather(procs, rows, repeats):
    """Median seconds per process of the per-process and the gathered loss (max over ranks)."""
    import tempfile

    import torch.multiprocessing as mp
    results = mp.Manager().dict()
    with tempfile.TemporaryDirectory() as folder:
        mp.spawn(gather_worker, args=(procs, rows, repeats, f'{folder}/init', results),
                 nprocs=procs, join=True)
    return {name: max(results[rank][name] for rank in range(procs))
            for name in results[0]}


def main():
    args = parse_args()
    device = torch.device(args.device)
    machine = (torch.cuda.get_device_name(device) if device.type == 'cuda' else
               f'{platform.machine()} CPU, {torch.get_num_threads()} threads')
    print(f'{time.strftime("%Y-%m-%d")}, {machine}, torch {torch.__version__}; median of '
          f'{args.repeats} forward+backward runs; ratio = time / bare products\n')
    print('| N | C | method | ms | ratio | peak MiB |\n|---|---|---|---|---|---|', flush=True)
    headline = {}
    for num_classes in args.classes:
        for num_samples in args.sizes:
            floor, rows = bench_shape(num_samples, num_classes, device, args.repeats)
            for name, (seconds, mib) in rows.items():
                print(f'| {num_samples} | {num_classes} | {name} | {1e3 * seconds:.2f} | '
                      f'{seconds / floor:.2f} | {mib:.1f} |', flush=True)
            if num_classes == 81:
                headline[f'P1_n{num_samples}'] = rows['CKDLoss'][0] / floor
                headline[f'textbook_n{num_samples}'] = rows['textbook CKD'][0] / floor
    if args.large:
        mib, diff, seconds = bench_large(args.large, 81, device)
        print(f'\nstreaming, N = {args.large}, C = 81: {seconds:.1f} s forward+backward, '
              f'{mib:.1f} MiB above the inputs, max |streaming - dense| = {diff:.2e} '
              '(loss and gradient)')
        headline.update(P4_extra_mb=mib, P4_max_abs_diff=diff)
    if args.gather_procs > 1 and device.type == 'cpu':
        times = bench_gather(args.gather_procs, args.gather_rows, args.repeats)
        local, gathered = times['per process'], times['gather_negatives']
        print(f'\ngather_negatives, {args.gather_procs} gloo processes x {args.gather_rows} '
              f'rows, C = 81, one thread each: {1e3 * local:.2f} ms per process -> '
              f'{1e3 * gathered:.2f} ms gathered (each process contrasts its rows with '
              f'{args.gather_procs}x as many candidates, plus an all_gather and, backward, an '
              'all_reduce)')
        headline['gather_cost'] = gathered / local
    print(' '.join(f'{name}={value:.3g}' for name, value in headline.items()))


if __name__ == '__main__':
    main()
