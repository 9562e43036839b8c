# Copyright (c) OpenMMLab and ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Train a detector or a classifier: plain MMDetection/MMPretrain configs and ckd_mmdet's
distillation configs alike. Same interface as MMDetection 3.x's tools/train.py; what it adds
to a run is in ckd_mmdet/cli.py (clear exits on missing files, CPU distributed launch)."""
from ckd_mmdet.cli import train_main

if __name__ == '__main__':
    train_main()
