"""What the package needs, and what it offers at its top level."""
import subprocess
import sys

import pytest
from helpers import DISTILL_CONFIG

DETECTION_ONLY = f'''
import sys
for name in ('mmpretrain', 'mmrazor'):
    sys.modules[name] = None  # "import {{name}}" now raises ImportError
import torch
import ckd_mmdet
from ckd_mmdet import CKDLoss, TwoStageDistiller
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmdet.utils import register_all_modules
from mmengine.config import Config

register_all_modules()
loss = MODELS.build(dict(type='CKDLoss', loss_weight=0.1))
assert type(loss) is CKDLoss
cfg = Config.fromfile({str(DISTILL_CONFIG)!r}).model
torch.manual_seed(0)
distiller = MODELS.build(cfg)
assert type(distiller) is TwoStageDistiller
packed = demo_mm_inputs(batch_size=2, image_shapes=(3, 96, 96), num_items=[3, 3],
                        num_classes=12)
losses = distiller(**distiller.data_preprocessor(packed, True), mode='loss')
total = sum(v for k, v in losses.items() if 'loss' in k and torch.is_tensor(v))
total.backward()
assert torch.isfinite(losses['loss_ckd']) and losses['loss_ckd'] > 0
print('ok', sorted(m for m in sys.modules if m.startswith(('mmpretrain', 'mmrazor'))))
'''


@pytest.mark.slow  # a fresh interpreter
def test_detection_side_needs_neither_mmpretrain_nor_mmrazor():
    result = subprocess.run([sys.executable, '-W', 'ignore', '-c', DETECTION_ONLY],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    # only the blocking entries themselves: nothing below them was imported
    assert result.stdout.strip() == "ok ['mmpretrain', 'mmrazor']", result.stdout


@pytest.mark.slow  # a fresh interpreter
def test_classification_subpackage_is_not_imported_by_the_package():
    code = ('import sys, ckd_mmdet\n'
            "print(any(m.startswith('ckd_mmdet.classification') for m in sys.modules))")
    result = subprocess.run([sys.executable, '-W', 'ignore', '-c', code], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == 'False', result.stderr[-2000:]
