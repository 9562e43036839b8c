"""benchmarks/kernel_cap.py: capped kernels give one training's floats on every run, and
other floats than the native kernels of a CPU that has more than AVX2."""
import sys

import pytest
import torch

from helpers import REPO

sys.path.insert(0, str(REPO / 'benchmarks'))
from kernel_cap import trainings  # noqa: E402
from quality_runs import on_x86  # noqa: E402


@pytest.mark.slow  # four trainings in subprocesses
@pytest.mark.skipif(not on_x86(), reason='the cap is an x86-64 instruction set')
def test_each_kind_repeats_and_the_cap_changes_avx512_floats(shapes_root):
    runs = trainings('retinanet_r34_shapes.py', 3, shapes_root)
    assert [kernels for kernels, _, _ in runs] == ['native', 'capped'] * 2
    native, capped = runs[0][1], runs[1][1]
    assert runs[2][1] == native and runs[3][1] == capped  # deterministic within a kind
    if torch.backends.cpu.get_cpu_capability() == 'AVX512':
        assert capped != native
