from .distillers import FrozenTeacherMixin, TwoStageDistiller
from .losses import CKDLoss, ckd_loss

__all__ = ['CKDLoss', 'FrozenTeacherMixin', 'TwoStageDistiller', 'ckd_loss']
