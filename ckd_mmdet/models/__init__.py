from .backbones import (CifarMobileNetV2, CifarResNet, CifarShuffleNetV2, CifarVGG,
                        MobileNetV1)
from .distillers import TwoStageDistiller
from .losses import CKDLoss, ckd_loss

__all__ = ['CKDLoss', 'CifarMobileNetV2', 'CifarResNet', 'CifarShuffleNetV2', 'CifarVGG',
           'MobileNetV1', 'TwoStageDistiller', 'ckd_loss']
