"""Contrastive Knowledge Distillation (CKD, arXiv 2404.14109) for MMDetection.

Needs only mmengine, mmcv and mmdet; the classification parts (mmpretrain) are in
``ckd_mmdet.classification``."""
# The bridges first: they mend the pinned upstream stack before anything else uses it.
from .bridges import apply_all as _apply_bridges

_apply_bridges()

from .datasets import DatasetNotFoundError  # noqa: E402
from .engine import (DropDistillationKeysHook, ResumeRandomStateHook,  # noqa: E402
                     TeacherClassesHook)
from .models import (CKDLoss, DeformableDETRDistiller, DINODistiller,  # noqa: E402
                     FeatureDistillation, FrozenTeacherMixin, HCLLoss, ReviewKDConnector,
                     SigmoidKDLoss, SingleStageDistiller, TwoStageDistiller, ckd_loss, hcl_loss,
                     sigmoid_kd_loss)

__version__ = '0.1.0'
__all__ = ['CKDLoss', 'DINODistiller', 'DeformableDETRDistiller', 'DatasetNotFoundError',
           'DropDistillationKeysHook', 'FeatureDistillation', 'FrozenTeacherMixin', 'HCLLoss',
           'ResumeRandomStateHook', 'ReviewKDConnector', 'SigmoidKDLoss', 'SingleStageDistiller',
           'TeacherClassesHook', 'TwoStageDistiller', 'ckd_loss', 'hcl_loss', 'sigmoid_kd_loss',
           '__version__']
