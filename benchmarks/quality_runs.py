"""What distill_quality.py and ckd_sweep.py share: cached results, a shapes run trained and
tested in subprocesses, mean and spread."""
import json
import statistics
import time
from pathlib import Path

from ckd_mmdet.runs import test, train

CONFIGS = Path(__file__).resolve().parents[1] / 'configs' / 'demo'


def cached(path, compute):
    """The JSON result at ``path``, computing and storing it first if it is not there."""
    path = Path(path)
    if path.is_file():
        return json.loads(path.read_text())
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))
    return value


def run_and_test(method, seed, config, run_dir, options):
    started = time.time()
    print(f'{method}, seed {seed}: training', flush=True)
    checkpoint = train(config, run_dir, options, quiet=True)
    value = test(config, checkpoint, run_dir / 'test', options, quiet=True)
    print(f'{method}, seed {seed}: {value:.2f} mAP ({(time.time() - started) / 60:.1f} min)',
          flush=True)
    return value


def summary(values):
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, std
