from .distillers import TwoStageDistiller
from .losses import CKDLoss, ckd_loss

__all__ = ['CKDLoss', 'TwoStageDistiller', 'ckd_loss']
