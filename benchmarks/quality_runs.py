"""What distill_quality.py and ckd_sweep.py share: cached results, each in a folder named
by what determines it, a shapes run trained and tested in subprocesses, mean and spread."""
import argparse
import copy
import hashlib
import json
import statistics
import time
from pathlib import Path

from mmengine.config import Config, DictAction

from ckd_mmdet.runs import test, train

CONFIGS = Path(__file__).resolve().parents[1] / 'configs' / 'demo'
# A killed run continues from its last multiple of this many iterations (bit-identical to an
# unstopped run, so the interval is not part of a run's key).
CHECKPOINT_EVERY = 500


def resolved_config(config, options):
    """The config as a run resolves it: the file, its bases, and the --cfg-options merged as
    tools/train.py merges them. ``config``: a path, or a Config already read (not changed)."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    cfg = copy.deepcopy(config) if isinstance(config, Config) else Config.fromfile(str(config))
    cfg.merge_from_dict(parser.parse_args(['--cfg-options', *options]).cfg_options
                        if options else {})
    return cfg


def config_key(config, options):
    """12 hex digits of the resolved config: a cached run is found again only if every
    setting that determines it is the same."""
    return hashlib.sha256(resolved_config(config, options).pretty_text.encode()).hexdigest()[:12]


def run_folder(work_dir, name, config, options):
    """``work_dir/<name>_<config_key>``: the folder of one cached run."""
    return Path(work_dir) / f'{name.replace(" ", "_")}_{config_key(config, options)}'


def cached(path, compute):
    """The JSON result at ``path``, computing and storing it first if it is not there."""
    path = Path(path)
    if path.is_file():
        return json.loads(path.read_text())
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))
    return value


def thread_record(run_dir, threads, flag, training):
    """A run's result depends on its thread count (the order of float sums), which its
    config key does not hold: a run about to be trained records it in threads.json, and a
    finished run recorded with another count is refused (one from before the record is
    taken as it is)."""
    record = Path(run_dir) / 'threads.json'
    if record.is_file():
        used = json.loads(record.read_text())
        if used != threads:
            raise SystemExit(f'{run_dir} was trained with {used} thread(s), not {threads}: '
                             f'pass {flag} {used}, or another --work-dir')
    elif training:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(threads))


def run_and_test(method, seed, config, run_dir, options):
    started = time.time()
    print(f'{method}, seed {seed}: training', flush=True)
    checkpoint = train(config, run_dir, options, quiet=True,
                       checkpoint_every=CHECKPOINT_EVERY)
    value = test(config, checkpoint, run_dir / 'test', options, quiet=True)
    print(f'{method}, seed {seed}: {value:.2f} mAP ({(time.time() - started) / 60:.1f} min)',
          flush=True)
    return value


def paired_interval(differences, confidence=0.95):
    """(mean, half-width of its ``confidence`` interval, n) of paired differences: Student's
    t with n - 1 degrees of freedom; the half-width is None below two differences."""
    from scipy import stats

    n = len(differences)
    mean = statistics.fmean(differences)
    if n < 2:
        return mean, None, n
    spread = statistics.stdev(differences) / n**0.5
    return mean, float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * spread, n


def summary(values):
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, std
