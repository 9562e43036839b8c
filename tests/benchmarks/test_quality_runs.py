"""The benchmarks' run cache is keyed by what determines a run: a changed config, base or
option is a new folder, never an old result."""
import json
import sys

import pytest
import torch

from helpers import REPO

sys.path.insert(0, str(REPO / 'benchmarks'))
from quality_runs import config_key, on_x86, run_folder  # noqa: E402


def test_the_key_follows_the_resolved_config(tmp_path):
    base = tmp_path / 'base.py'
    base.write_text("model = dict(samples=dict(mode='positives', center=True), weight=1.0)\n")
    config = tmp_path / 'kd.py'
    config.write_text("_base_ = './base.py'\nmodel = dict(weight=2.0)\n")
    key = config_key(config, ['randomness.seed=0'])
    assert key == config_key(config, ['randomness.seed=0']) and len(key) == 12
    assert key != config_key(config, ['randomness.seed=1'])
    assert key != config_key(config, ['randomness.seed=0', 'model.samples.center=False'])
    assert config_key(config, []) == config_key(tmp_path / 'kd.py', ())
    base.write_text("model = dict(samples=dict(mode='positives', center=False), weight=1.0)\n")
    assert config_key(config, ['randomness.seed=0']) != key  # the base changed
    assert run_folder(tmp_path, 'CKD (raw rows)_seed0', config, []) == \
        tmp_path / f'CKD_(raw_rows)_seed0_{config_key(config, [])}'


def test_paired_interval_is_students_t_with_n_minus_one_degrees():
    from quality_runs import paired_interval
    mean, half_width, n = paired_interval([1.0, 2.0, 3.0, 6.0])
    # mean 3, sample sd sqrt(14/3), t(0.975, 3) = 3.182446
    assert (mean, n) == (3.0, 4)
    assert abs(half_width - 3.182446 * (14 / 3) ** 0.5 / 2) < 1e-5
    assert paired_interval([2.5]) == (2.5, None, 1)


def test_a_shapes_set_generated_with_other_options_is_refused(tmp_path):
    from distill_quality import shapes_data
    root = tmp_path / 'shapes_b'
    options = '--train 2 --val 1 --size 64 --seed 3'
    shapes_data(root, options)
    assert (root / 'annotations' / 'instances_val.json').is_file()
    shapes_data(root, options)  # the same options: reused
    with pytest.raises(SystemExit, match=r"shapes_b was generated with \['--train', '2'"):
        shapes_data(root, '--train 2 --val 1 --size 64 --seed 4')
    default = tmp_path / 'shapes'
    shapes_data(default, '--train 1 --val 1 --size 64')
    (default / 'generated_with.json').unlink()  # a set made before the record: the defaults
    with pytest.raises(SystemExit, match='generated with the default options'):
        shapes_data(default, '--train 1 --val 1 --size 64')


def test_a_larger_val_split_begins_with_the_val_split(tmp_path):
    """--val-images tests on <root>_val<N>, made with the root's options: its first images
    must be the root's val split, image for image and box for box."""

    from distill_quality import shapes_data
    root, larger = tmp_path / 'shapes', tmp_path / 'shapes_val6'
    shapes_data(root, '--train 1 --val 3 --size 64 --seed 5')
    shapes_data(larger, '--train 1 --val 3 --size 64 --seed 5 --train 0 --val 6')
    small, big = (json.loads((r / 'annotations' / 'instances_val.json').read_text())
                  for r in (root, larger))
    assert len(big['images']) == 6 and big['images'][:3] == small['images']
    assert [a for a in big['annotations'] if a['image_id'] <= 3] == small['annotations']
    for image in small['images']:
        name = image['file_name']
        assert (root / 'val' / name).read_bytes() == (larger / 'val' / name).read_bytes()


def test_precise_bn_averages_the_batch_statistics_of_fixed_weights():
    import torch
    from mmengine.model import BaseDataPreprocessor, BaseModel
    from precise_bn import update_bn_statistics

    class Net(BaseModel):
        def __init__(self):
            super().__init__(data_preprocessor=BaseDataPreprocessor())
            self.conv = torch.nn.Conv2d(2, 3, 1)
            self.bn = torch.nn.BatchNorm2d(3, momentum=0.1)

        def forward(self, inputs, data_samples=None, mode='tensor'):
            assert mode == 'tensor'
            return self.bn(self.conv(torch.stack(inputs)))

    torch.manual_seed(0)
    net = Net().train()
    batches = [[torch.randn(2, 4, 4) + i for _ in range(3)] for i in range(5)]
    weights = {k: v.clone() for k, v in net.state_dict().items() if 'running' not in k
               and 'num_batches' not in k}
    seen = update_bn_statistics(net, [dict(inputs=b) for b in batches], num_samples=12)
    assert seen == 12  # four batches of three
    with torch.no_grad():
        features = [net.conv(torch.stack(b)) for b in batches[:4]]
    means = torch.stack([f.mean((0, 2, 3)) for f in features]).mean(0)
    variances = torch.stack([f.transpose(0, 1).flatten(1).var(1) for f in features]).mean(0)
    torch.testing.assert_close(net.bn.running_mean, means)
    torch.testing.assert_close(net.bn.running_var, variances)
    assert net.bn.momentum == 0.1
    for key, value in weights.items():
        assert torch.equal(net.state_dict()[key], value), key


def test_an_earlier_report_is_reused_only_where_it_reproduces(tmp_path):
    """--previous: runs of another machine count only if their teacher is reproduced here,
    in the same setting, and (when the report names them) with the same config keys."""
    from types import SimpleNamespace

    from distill_quality import previous_results, reused
    title = 'shapes (data/shapes), GFL R-34 (6000 it) -> narrow R-18 (6000 it), seeds [0, 1]'
    report = dict(date='2026-12-01', detection=dict(
        title=title.replace('[0, 1]', '[0]') + ' (in progress)', teacher=70.1,
        results={'KD': {'0': 66.0}, 'CKD': {'0': 65.5, '1': 64.0}},
        runs={'KD': {'0': 'KD_seed0_abc'}}))
    args = SimpleNamespace(previous=tmp_path / 'old.json', previous_report=report,
                           kernels={'ATEN_CPU_CAPABILITY': 'avx2'})
    earlier = previous_results(args, title, 70.1)
    assert earlier == {'KD': {'0': (66.0, 'KD_seed0_abc')},
                       'CKD': {'0': (65.5, None), '1': (64.0, None)}}
    with pytest.raises(SystemExit, match="its teacher scored 70.1000, the teacher trained "
                       r"here 70.0000.*Its kernels: native; here: {'ATEN_CPU_CAPABILITY': "
                       r"'avx2'}; --native-kernels on a machine of its CPU"):
        previous_results(args, title, 70.0)
    with pytest.raises(SystemExit, match='not this setting'):
        previous_results(args, title.replace('(6000 it), seeds', '(3000 it), seeds'), 70.1)
    assert reused(earlier, 'KD', 0, tmp_path / 'KD_seed0_abc') == 66.0
    assert reused(earlier, 'KD', 0, tmp_path / 'KD_seed0_def') is None  # its config changed
    assert reused(earlier, 'CKD', 1, tmp_path / 'CKD_seed1_any') == 64.0  # an older report
    assert reused(earlier, 'KD', 1, tmp_path / 'KD_seed1_abc') is None  # never measured
    (tmp_path / 'CKD_seed0_any').mkdir()
    (tmp_path / 'CKD_seed0_any' / 'map.json').write_text('65.9')
    assert reused(earlier, 'CKD', 0, tmp_path / 'CKD_seed0_any') is None  # cached here


def test_a_run_of_another_thread_count_is_refused(tmp_path):
    from quality_runs import thread_record
    old = tmp_path / 'KD_seed0_abc'  # finished before the record: taken as it is
    thread_record(old, 2, '--threads', training=False)
    assert not (old / 'threads.json').exists()
    run = tmp_path / 'KD_seed1_abc'
    thread_record(run, 1, '--threads', training=True)
    thread_record(run, 1, '--threads', training=False)  # the same count: reused
    with pytest.raises(SystemExit, match=r'trained with 1 thread\(s\), not 2: pass '
                       '--teacher-threads 1'):
        thread_record(run, 2, '--teacher-threads', training=False)


def test_capped_kernels_are_never_mixed_with_native_ones(tmp_path, monkeypatch):
    """A run records the kernels it was trained with; one from before the record used the
    machine's native kernels, and neither kind is reported as the other."""
    import quality_runs
    from quality_runs import PINNED_KERNELS, kernel_record, pin_kernels
    for name in PINNED_KERNELS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(quality_runs.platform, 'machine', lambda: 'x86_64')
    kernels = pin_kernels()
    assert kernels == PINNED_KERNELS == {name: quality_runs.os.environ[name]
                                         for name in PINNED_KERNELS}
    run = tmp_path / 'KD_seed0_abc'
    kernel_record(run, kernels, training=True)
    assert json.loads((run / 'kernels.json').read_text()) == kernels
    kernel_record(run, kernels, training=False)  # the same kernels: reused
    with pytest.raises(SystemExit, match="KD_seed0_abc was trained with kernels {'ATEN"):
        kernel_record(run, 'native', training=False)
    old = tmp_path / 'KD_seed1_abc'  # finished before the record: native kernels
    with pytest.raises(SystemExit, match="trained with kernels native, not {'ATEN_CPU"):
        kernel_record(old, kernels, training=False)
    kernel_record(old, 'native', training=False)
    assert not (old / 'kernels.json').exists()
    monkeypatch.setattr(quality_runs.platform, 'machine', lambda: 'aarch64')
    assert pin_kernels() == 'native'
    assert quality_runs.package_versions()['torch'] == torch.__version__.split('+')[0]


def test_capped_and_native_reports_have_their_own_files(monkeypatch):
    """A capped report never overwrites the native one of the same setting."""
    import distill_quality
    monkeypatch.setattr(distill_quality, 'pin_kernels', lambda: {'ATEN_CPU_CAPABILITY': 'avx2'})
    monkeypatch.setattr(sys, 'argv', ['distill_quality.py', '--pair', 'gfl'])
    assert distill_quality.parse_args().stem == 'distill_quality_gfl_avx2'
    monkeypatch.setattr(sys, 'argv', ['distill_quality.py', '--pair', 'gfl', '--native-kernels'])
    args = distill_quality.parse_args()
    assert (args.stem, args.kernels) == ('distill_quality_gfl', 'native')


@pytest.mark.skipif(not on_x86(), reason='the cap is an x86-64 instruction set')
def test_the_cap_reaches_a_training_subprocess(monkeypatch):
    """The variables pin_kernels sets are the ones torch reads: a process started with them
    runs torch's AVX2 kernels (or fewer, on a CPU without AVX2), never AVX-512."""
    import subprocess

    import quality_runs
    for name in quality_runs.PINNED_KERNELS:
        monkeypatch.delenv(name, raising=False)
    quality_runs.pin_kernels()
    capability = subprocess.run(
        [sys.executable, '-c', 'import torch; print(torch.backends.cpu.get_cpu_capability())'],
        capture_output=True, text=True, check=True).stdout.split()[-1]
    assert capability in ('AVX2', 'DEFAULT', 'NO AVX')


def test_the_figure_legend_covers_no_row():
    """The teacher's legend sat inside the axes and hid the dots of a row ending near it."""
    from distill_quality import report_figure
    report = {'detection': dict(title='pair', teacher=72.9, results={
        'student alone': {0: 69.3, 1: 66.7}, 'CKD': {0: 72.2, 1: 72.8}})}
    figure = report_figure(report, [('detection', 'mAP')])
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    axis = figure.axes[0]
    legend = axis.get_legend().get_window_extent(renderer)
    import matplotlib.pyplot as plt
    plt.close(figure)
    assert not legend.overlaps(axis.get_window_extent(renderer))
    assert [label.get_text() for label in axis.get_yticklabels()] == ['CKD', 'student alone']


def test_a_method_is_compared_with_each_of_its_references():
    from distill_quality import paired_differences
    results = {'student alone': {0: 60.0, 1: 61.0}, 'KD': {0: 61.0, 1: 61.0},
               'DKD': {0: 62.0, 1: 63.0}, 'CKD': {0: 61.5, 1: 62.5}}
    lines = paired_differences(results, 'mAP', {'CKD': ('KD', 'DKD'), 'DKD': 'KD'})
    rows = [line for line in lines if line.startswith('| CKD |') or line.startswith('| DKD |')]
    # against the student alone, then CKD - KD, CKD - DKD, DKD - KD
    assert [row.split(' | ')[1] for row in rows] == ['student alone'] * 2 + ['KD', 'DKD', 'KD']
    ckd_minus_dkd = rows[3].split(' | ')
    assert ckd_minus_dkd[3:5] == ['-0.50', '-0.50 … -0.50']
    assert ckd_minus_dkd[5] == 'yes, worse (screen: n < 5)'  # 2 seeds screen, not settle


def test_an_interval_is_a_finding_only_on_five_seeds():
    from distill_quality import paired_differences
    alone = {s: 60.0 + (s % 2) for s in range(5)}
    better = {s: value + 2.0 + 0.1 * s for s, value in alone.items()}
    verdicts = {}
    for n in (3, 5):
        results = {'student alone': dict(list(alone.items())[:n]),
                   'KD': dict(list(better.items())[:n])}
        row = next(line for line in paired_differences(results, 'mAP', {})
                   if line.startswith('| KD |'))
        verdicts[n] = row.split(' | ')[5]
    assert verdicts == {3: 'yes, better (screen: n < 5)', 5: '**yes, better**'}


def test_an_old_report_is_redrawn_with_the_teacher_as_a_line(tmp_path, monkeypatch):
    """Reports before 2026-11-30 listed the teacher among the methods, a list per method."""
    import distill_quality
    old = tmp_path / 'old.json'
    old.write_text(json.dumps({'detection': dict(title='pair', results={
        'teacher': [67.0], 'student alone': [32.1, 33.1], 'KD': [37.4]})}))
    drawn = {}
    monkeypatch.setattr(distill_quality, 'plot',
                        lambda report, tasks, path: drawn.update(report=report, path=path))
    assert distill_quality.replot(old) == tmp_path / 'old.png' == drawn['path']
    entry = drawn['report']['detection']
    assert entry['teacher'] == 67.0
    assert entry['results'] == {'student alone': {0: 32.1, 1: 33.1}, 'KD': {0: 37.4}}
    (tmp_path / 'empty.json').write_text('{"date": "2026-11-29"}')
    with pytest.raises(SystemExit, match='empty.json: no detection or classification'):
        distill_quality.replot(tmp_path / 'empty.json')


@pytest.mark.slow  # trainings in subprocesses
def test_a_killed_run_continues_where_it_stopped(tmp_path, teacher_ckpt, shapes_root,
                                                 monkeypatch):
    """A benchmark run killed after a checkpoint continues from it, keeps the log of its first
    part, and ends bit-identical to a run never stopped, which itself is the run without the
    intermediate checkpoints: the interval rightly stays out of a run's key."""
    import subprocess

    from helpers import DISTILL_CONFIG, assert_same_weights, kill_when_saved
    from helpers import checkpoint_weights as weights

    from ckd_mmdet.runs import data_root_options, train
    monkeypatch.setenv('PYTHONHASHSEED', '0')
    options = [*data_root_options(shapes_root), 'train_cfg.max_iters=8',
               'train_cfg.val_interval=8', 'default_hooks.checkpoint.interval=8',
               f'model.teacher_ckpt={teacher_ckpt}', 'randomness.seed=0']
    unstopped = weights(train(DISTILL_CONFIG, tmp_path / 'plain', options, quiet=True))

    killed = tmp_path / 'killed'
    killed.mkdir()
    with open(killed / 'train.log', 'w') as log:  # what runs.train writes for the first part
        process = subprocess.Popen(
            [sys.executable, '-W', 'ignore', '-m', 'ckd_mmdet.cli', 'train', str(DISTILL_CONFIG),
             '--work-dir', str(killed), '--cfg-options', *options,
             'default_hooks.checkpoint.interval=2', 'default_hooks.checkpoint.max_keep_ckpts=1'],
            stdout=log, stderr=subprocess.STDOUT)
        kill_when_saved(process, killed / 'iter_2.pth')
    assert not (killed / 'iter_8.pth').exists()

    last = train(DISTILL_CONFIG, killed, options, quiet=True, checkpoint_every=2)
    assert last == killed / 'iter_8.pth'
    assert sorted(p.name for p in killed.glob('iter_*.pth')) == ['iter_8.pth']
    log = (killed / 'train.log').read_text()
    assert log.count('Iter(train) [1/8]') == 1, 'the first part of the log lost, or trained twice'
    assert log.count('Iter(train) [8/8]') == 1
    assert log.index('Auto resumed from') > log.index('Iter(train) [2/8]')
    assert_same_weights(weights(last), unstopped)


@pytest.mark.parametrize('pair', ['gfl', 'retinanet', 'dino'])
def test_each_method_has_the_losses_its_name_says(pair):
    """A method's label is its row in the report: CKD, KD and PKD in the name and only those,
    in the config as the run resolves it (its --cfg-options merged)."""
    from distill_quality import PAIRS
    from mmengine.config import Config
    from quality_runs import CONFIGS, resolved_config
    methods, read = PAIRS[pair]['methods'], {}
    for method, spec in methods.items():
        config, options = (spec, []) if isinstance(spec, str) else spec
        if config not in read:  # each file read once: Config.fromfile is most of the time
            read[config] = Config.fromfile(str(CONFIGS / config))
        model = resolved_config(read[config], options).model
        logit = model.get('distill_loss')
        logit = [] if logit is None else logit if isinstance(logit, list) else [logit]
        losses = {loss['type'] for loss in logit}
        words = method.replace('(', ' ').split()
        assert ('CKDLoss' in losses) == ('CKD' in words), method
        assert ('SigmoidKDLoss' in losses) == ('KD' in words), method
        assert (model.get('feature_distill') is not None) == ('PKD' in words), method
        assert (model.get('box_distill') is not None) == ('boxes' in words), method
        assert ('teacher_config' in model) == (method != 'student alone'), method
    for method, references in PAIRS[pair]['references'].items():
        if method in methods:
            refs = (references,) if isinstance(references, str) else references
            assert set(refs) <= set(methods), method
