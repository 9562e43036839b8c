from .connectors import ConvConnector, ReviewKDConnector
from .distillers import (DeformableDETRDistiller, DINODistiller, FeatureDistillation,
                         FrozenTeacherMixin, SingleStageDistiller, TwoStageDistiller)
from .losses import CKDLoss, HCLLoss, SigmoidKDLoss, ckd_loss, hcl_loss, sigmoid_kd_loss

__all__ = ['CKDLoss', 'ConvConnector', 'DINODistiller', 'DeformableDETRDistiller',
           'FeatureDistillation', 'FrozenTeacherMixin', 'HCLLoss', 'ReviewKDConnector',
           'SigmoidKDLoss', 'SingleStageDistiller', 'TwoStageDistiller', 'ckd_loss', 'hcl_loss',
           'sigmoid_kd_loss']
