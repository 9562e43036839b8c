"""A data root that does not exist, or lacks its files: one message naming the key and the
path, exit code 1."""
import subprocess
import sys

import pytest
from helpers import DISTILL_CONFIG, REPO

pytestmark = pytest.mark.slow  # tools in subprocesses, end to end


def test_missing_data_root_is_named_by_train_and_test(tmp_path, teacher_ckpt):
    missing = tmp_path / 'no_such_data'
    empty = tmp_path / 'empty'
    empty.mkdir()
    for tool, extra, root in (('train.py', [], missing), ('test.py', [str(teacher_ckpt)], missing),
                              ('train.py', [], empty), ('test.py', [str(teacher_ckpt)], empty)):
        result = subprocess.run(
            [sys.executable, '-W', 'ignore', str(REPO / 'tools' / tool), str(DISTILL_CONFIG),
             *extra, '--work-dir', str(tmp_path / 'work'), '--cfg-options',
             f'train_dataloader.dataset.data_root={root}/',
             f'val_dataloader.dataset.data_root={root}/',
             f'test_dataloader.dataset.data_root={root}/'],
            capture_output=True, text=True, timeout=300)
        assert result.returncode == 1
        assert 'Traceback' not in result.stderr
        split = 'train' if tool == 'train.py' else 'test'
        if root == missing:
            assert (f"{split}_dataloader.dataset: no data_root folder at '{missing}/'"
                    in result.stderr)
        else:
            assert (f"{split}_dataloader.dataset: no annotation file at "
                    f"'{empty}/annotations/instances_{split if split == 'train' else 'val'}"
                    ".json'") in result.stderr
        assert 'point the config at it' in result.stderr
