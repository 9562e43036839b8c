from .connectors import ConvConnector, ReviewKDConnector
from .distillers import FeatureDistillation, FrozenTeacherMixin, TwoStageDistiller
from .losses import CKDLoss, HCLLoss, ckd_loss, hcl_loss

__all__ = ['CKDLoss', 'ConvConnector', 'FeatureDistillation', 'FrozenTeacherMixin', 'HCLLoss',
           'ReviewKDConnector', 'TwoStageDistiller', 'ckd_loss', 'hcl_loss']
