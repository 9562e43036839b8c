"""Timing and peak-memory helpers shared by the benchmarks (import torch after the restart)."""
import os
import statistics
import sys
import time


def restart_with_fixed_mmap_threshold():
    """Re-executes the script once with a fixed glibc mmap threshold.

    glibc raises its threshold after large frees and then keeps freed buffers in the heap, so
    the resident set would count memory left over from an earlier measurement. A fixed
    threshold makes every large buffer go back to the system when it is freed."""
    if sys.platform.startswith('linux') and 'MALLOC_MMAP_THRESHOLD_' not in os.environ:
        os.execve(sys.executable, sys.orig_argv,  # keeps -W and the like
                  {**os.environ, 'MALLOC_MMAP_THRESHOLD_': str(1 << 17)})


def synchronize(device):
    import torch
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


class Memory:
    """Peak memory of a block above what was in use when it started, in MiB: CUDA's
    allocator statistics on GPUs, the resident set's high-water mark (VmHWM, reset at the
    start through /proc/self/clear_refs) on CPUs."""

    def __init__(self, device):
        self.device = device

    def __enter__(self):
        import torch
        synchronize(self.device)
        if self.device.type == 'cuda':
            torch.cuda.reset_peak_memory_stats(self.device)
            self.start = torch.cuda.memory_allocated(self.device)
        else:
            with open('/proc/self/clear_refs', 'w') as clear:
                clear.write('5')
            self.start = _proc_status('VmRSS')
        return self

    def __exit__(self, *exc):
        import torch
        synchronize(self.device)
        peak = (torch.cuda.max_memory_allocated(self.device) if self.device.type == 'cuda'
                else _proc_status('VmHWM'))
        self.peak_mib = (peak - self.start) / 2**20


def _proc_status(field):
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith(field + ':'):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f'no {field} in /proc/self/status')


def timed(fn, device):
    """Seconds one call of ``fn`` takes, the device synchronised on both sides."""
    synchronize(device)
    start = time.perf_counter()
    fn()
    synchronize(device)
    return time.perf_counter() - start


def measure_interleaved(functions, device, repeats):
    """{name: (median seconds, peak MiB)} of each function. After one warm-up call each,
    the functions run in turn ``repeats`` times, so that the machine's drifts hit all alike;
    the peak memory of each comes from one more call on its own."""
    for fn in functions.values():
        fn()
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, fn in functions.items():
            times[name].append(timed(fn, device))
    results = {}
    for name, fn in functions.items():
        with Memory(device) as block:
            fn()
        results[name] = (statistics.median(times[name]), block.peak_mib)
    return results
