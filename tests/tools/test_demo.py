import re
import subprocess
import sys

import pytest
from helpers import REPO

from ckd_mmdet.datasets.synthetic import make_split

pytestmark = pytest.mark.slow  # tools in subprocesses, end to end


def test_demo_runs_end_to_end_on_a_small_set(tmp_path):
    data = tmp_path / 'shapes'
    make_split(data, 'train', 8, seed=0)
    make_split(data, 'val', 4, seed=1)
    result = subprocess.run(
        [sys.executable, '-W', 'ignore', str(REPO / 'tools' / 'demo.py'), '--work-dir',
         str(tmp_path / 'demo'), '--data-root', str(data), '--teacher-iters', '2',
         '--student-iters', '2', '--quiet'],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    for step in ('training the teacher', 'training the student alone',
                 'training the CKD student', 'testing the teacher'):
        assert step in out
    rows = re.findall(r'\| (teacher R-34|student R-18 narrow, alone|student R-18 narrow, CKD) '
                      r'\| (\d+\.\d) \|', out)
    assert [name for name, _ in rows] == ['teacher R-34', 'student R-18 narrow, alone',
                                          'student R-18 narrow, CKD']
    assert (tmp_path / 'demo' / 'teacher' / 'iter_2.pth').is_file()
    written = (tmp_path / 'demo' / 'results.md').read_text()
    assert written.startswith('Measured ') and 'command: `python tools/demo.py --work-dir' in \
        written and all(f'| {name} | {value} |' in written for name, value in rows)
    # A second run reuses the teacher.
    again = subprocess.run(
        [sys.executable, '-W', 'ignore', str(REPO / 'tools' / 'demo.py'), '--work-dir',
         str(tmp_path / 'demo'), '--data-root', str(data), '--teacher-iters', '2',
         '--student-iters', '1', '--quiet'], capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert 'reusing the teacher' in again.stdout


def test_dense_demo_runs_the_gfl_pair(tmp_path):
    data = tmp_path / 'shapes'
    make_split(data, 'train', 8, seed=0)
    make_split(data, 'val', 4, seed=1)
    result = subprocess.run(
        [sys.executable, '-W', 'ignore', str(REPO / 'tools' / 'demo.py'), '--pair', 'gfl',
         '--work-dir', str(tmp_path / 'demo'), '--data-root', str(data), '--teacher-iters', '2',
         '--student-iters', '2', '--quiet'],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = re.findall(r'\| (GFL teacher R-34|GFL student R-18 narrow, alone|GFL student R-18 '
                      r'narrow, CKD) \| (\d+\.\d) \|', result.stdout)
    assert [name for name, _ in rows] == ['GFL teacher R-34', 'GFL student R-18 narrow, alone',
                                          'GFL student R-18 narrow, CKD']
    assert (tmp_path / 'demo' / 'teacher' / 'iter_2.pth').is_file()
