"""What distill_quality.py and ckd_sweep.py share: cached results, each in a folder named
by what determines it, a shapes run trained and tested in subprocesses, mean and spread."""
import argparse
import copy
import hashlib
import json
import os
import platform
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


def run_record(run_dir, name, value, training, refusal, missing=None):
    """Records a setting that decides a run's result but not its config key in
    ``<name>.json``, when the run is about to be trained; a finished run recorded with another
    value is refused with ``refusal(recorded)``. A run from before the record holds
    ``missing``; None takes it as it is."""
    record = Path(run_dir) / f'{name}.json'
    used = json.loads(record.read_text()) if record.is_file() else missing
    if record.is_file() or (missing is not None and not training):
        if used != value:
            raise SystemExit(f'{run_dir} was trained with {refusal(used)}')
    elif training:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(value))


def thread_record(run_dir, threads, flag, training):
    """The thread count decides the order of float sums; runs from before this record are
    taken as they are."""
    run_record(run_dir, 'threads', threads, training, lambda used: (
        f'{used} thread(s), not {threads}: pass {flag} {used}, or another --work-dir'))


# x86 CPUs pick torch's, MKL's and oneDNN's kernels by instruction set, and the floats follow
# (benchmarks/kernel_cap.py: other weights with and without this cap on an AVX-512 CPU, the
# same twice with it). On 2026-12-03 an AVX-512 machine trained an earlier report's RetinaNet
# student alone to 66.6 natively (seed 0) and, capped at AVX2, to the report's 67.4 and 64.8
# (seeds 0, 1): capped, a run no longer depends on whether its CPU has AVX-512.
PINNED_KERNELS = {'ATEN_CPU_CAPABILITY': 'avx2', 'MKL_CBWR': 'AVX2', 'ONEDNN_MAX_CPU_ISA': 'AVX2'}


def on_x86():
    """Whether this CPU is x86-64, the instruction sets PINNED_KERNELS names."""
    return platform.machine().lower() in ('x86_64', 'amd64')


def pin_kernels():
    """Caps the kernels of the trainings started from here (subprocesses inherit the
    environment) at PINNED_KERNELS on x86-64; returns what runs record: those settings, or
    'native' on other CPUs, whose kernels have no such cap."""
    if not on_x86():
        return 'native'
    os.environ.update(PINNED_KERNELS)
    return dict(PINNED_KERNELS)


def kernel_record(run_dir, kernels, training):
    """Runs from before this record used each machine's native kernels: they are not mixed
    with capped ones."""
    run_record(run_dir, 'kernels', kernels, training, lambda used: (
        f'kernels {used}, not {kernels}: its result would not be comparable; pass another '
        '--work-dir'), missing='native')


def package_versions():
    """The versions that decide a run's floats beyond the repo's pins (numpy and opencv are
    not pinned): a report records them, so two machines that disagree can be told apart."""
    from importlib.metadata import PackageNotFoundError, version
    found = {}
    for name in ('torch', 'numpy', 'opencv-python', 'pillow', 'mmcv', 'mmengine', 'mmdet',
                 'pycocotools'):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def cpu_name():
    """The CPU's model name where Linux says it, else what platform knows."""
    info = Path('/proc/cpuinfo')
    if info.is_file():
        for line in info.read_text().splitlines():
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    return platform.processor() or platform.machine()


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
