"""The mmrazor_import bridge: MMRazor's distillers import on torch 2.x."""
import subprocess
import sys

import pytest


@pytest.mark.slow  # a fresh interpreter
def test_mmrazor_distillers_import():
    code = ('import ckd_mmdet\n'
            'from mmrazor.models import ConfigurableDistiller, SingleTeacherDistill\n'
            'print(SingleTeacherDistill.__name__, ConfigurableDistiller.__name__)')
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'SingleTeacherDistill ConfigurableDistiller' in result.stdout
