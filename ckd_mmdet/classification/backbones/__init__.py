from .cifar_mobile import CifarMobileNetV2, CifarShuffleNetV2
from .cifar_resnet import CifarResNet
from .cifar_vgg import CifarVGG
from .mobilenet_v1 import MobileNetV1

__all__ = ['CifarMobileNetV2', 'CifarResNet', 'CifarShuffleNetV2', 'CifarVGG', 'MobileNetV1']
