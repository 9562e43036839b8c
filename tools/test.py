# Copyright (c) OpenMMLab and ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Test (and evaluate) a detector or classifier checkpoint. Same interface as MMDetection
3.x's tools/test.py; what it adds is in ckd_mmdet/cli.py.

A checkpoint saved by ckd_mmdet's detection distiller holds plain student keys: test it with
the distillation config or the plain student config. A classification (MMRazor) distillation
checkpoint holds the teacher too: test it with its distillation config, or extract the
student (tools/extract_student.py) for the plain one."""
from ckd_mmdet.cli import test_main

if __name__ == '__main__':
    test_main()
