import re
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).parents[2] / 'tools' / 'demo.py'


def test_smoke_demo_runs_one_ckd_step():
    result = subprocess.run([sys.executable, str(DEMO), '--steps', '1', '--rois-per-image', '8'],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert '16 RoIs x 81 logits' in result.stdout
    losses = [float(x) for x in re.findall(r'loss_ckd (\d+\.\d+)', result.stdout)]
    assert len(losses) == 2
    # Near log 16 = 2.77 (random weights), and inside the tau = 1 bounds.
    assert all(1.10 < loss < 4.72 for loss in losses)
    grad_norm = float(re.search(r'student grad norm (\S+)', result.stdout).group(1))
    assert grad_norm > 0
    assert 'teacher unchanged: True' in result.stdout
