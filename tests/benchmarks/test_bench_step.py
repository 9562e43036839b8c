"""benchmarks/bench_step.py end to end on the demo pairs (tiny images, one round): every kind
of distiller reaches the summary line, which the DETR row once failed to print."""
import os
import re
import subprocess
import sys

import pytest

from helpers import REPO

pytestmark = pytest.mark.slow
CASES = [  # config, what the distiller distils, extra arguments
    ('ckd_faster-rcnn_r34-r18-narrow_shapes.py', r'\d+ sampled RoIs', []),
    ('ckd_gfl_r34-r18-narrow_shapes.py', r'\d+ of \d+ priors selected', []),
    ('ckd_dino_r34-r18-narrow_shapes.py', r'\d+ of 100 queries selected', ['--profile']),
]


@pytest.mark.parametrize('config, samples, extra', CASES, ids=[case[0] for case in CASES])
def test_every_kind_of_distiller_reaches_the_summary(config, samples, extra):
    result = subprocess.run(
        [sys.executable, '-W', 'ignore', str(REPO / 'benchmarks' / 'bench_step.py'),
         '--config', str(REPO / 'configs' / 'demo' / config), '--size', '128', '96',
         '--batch', '1', '--repeats', '1', '--variants', *extra],
        capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'},
        timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(f'{config}; 1 images of 128x96, {samples};', result.stdout)
    ratios = re.search(r'^P2=(\d+\.\d+) P3=(\d+\.\d+) student_ms=', result.stdout, re.M)
    assert ratios and all(0 < float(value) < 10 for value in ratios.groups()), result.stdout
    if '--profile' in extra:  # the op table and the totals of one profiled step each
        assert 'CPU self time, distill − shares' in result.stdout
        assert re.search(r'host syncs \(.*\): distill \d+, shares \d+', result.stdout)
