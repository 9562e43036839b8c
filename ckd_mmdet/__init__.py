"""Contrastive Knowledge Distillation (CKD, arXiv 2404.14109) for MMDetection."""
# compat first: it bridges the pinned upstream stack before anything else uses it.
from . import compat  # noqa: F401, I001
from .datasets import DatasetNotFoundError, LocalCIFAR10, LocalCIFAR100
from .engine import ResumeRandomStateHook
from .models import CKDLoss, TwoStageDistiller, ckd_loss

__version__ = '0.1.0'
__all__ = ['CKDLoss', 'DatasetNotFoundError', 'LocalCIFAR10', 'LocalCIFAR100',
           'ResumeRandomStateHook', 'TwoStageDistiller', 'ckd_loss', '__version__']
