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
