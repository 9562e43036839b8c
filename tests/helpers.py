"""Shared by the tests: the tiny configs and the generated shapes set."""
from pathlib import Path

from ckd_mmdet.datasets.synthetic import make_split

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / 'tests' / 'data' / 'configs'
STUDENT_CONFIG = CONFIGS / 'tiny_faster-rcnn_r18.py'
TEACHER_CONFIG = CONFIGS / 'tiny_faster-rcnn_r34.py'
DISTILL_CONFIG = CONFIGS / 'tiny_ckd_faster-rcnn_r34-r18.py'


def make_shapes(root, num_train=8, num_val=4):
    make_split(root, "train", num_train, seed=0, size=96, max_objects=3)
    make_split(root, "val", num_val, seed=1, size=96, max_objects=3)
    return Path(root)


def data_options(root):
    """--cfg-options pointing the tiny configs' data at ``root``."""
    root = str(root).rstrip('/') + '/'
    ann = root + 'annotations/instances_val.json'
    return [f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            f'val_evaluator.ann_file={ann}', f'test_evaluator.ann_file={ann}']
