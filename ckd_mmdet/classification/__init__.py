# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Classification distillation parts, registered in MMPretrain's registries: the CIFAR
networks of the CRD benchmark, MobileNetV1 and offline CIFAR data sets. Needs mmpretrain;
the classification configs import it through ``custom_imports``. ``import ckd_mmdet`` (the
detection side) never imports it."""
import ckd_mmdet  # noqa: F401  (the bridges first: MMRazor configs need them too)

from .backbones import (CifarMobileNetV2, CifarResNet, CifarShuffleNetV2, CifarVGG,
                        MobileNetV1)
from .datasets import LocalCIFAR10, LocalCIFAR100

__all__ = ['CifarMobileNetV2', 'CifarResNet', 'CifarShuffleNetV2', 'CifarVGG', 'LocalCIFAR10',
           'LocalCIFAR100', 'MobileNetV1']
