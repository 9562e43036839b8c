"""The benchmarks' run cache is keyed by what determines a run: a changed config, base or
option is a new folder, never an old result."""
import sys

from helpers import REPO

sys.path.insert(0, str(REPO / 'benchmarks'))
from quality_runs import config_key, run_folder  # noqa: E402


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
    import pytest
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
