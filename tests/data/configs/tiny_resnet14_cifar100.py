# The tiny teacher of the classification tests: resnet14 layout, half of resnet8x4's width.
_base_ = './tiny_resnet8_cifar100.py'

model = dict(backbone=dict(depth=14, num_filters=(16, 16, 32, 64)), head=dict(in_channels=64))
