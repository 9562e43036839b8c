# The CIFAR-100 networks of the CKD pairs (CRD's set) as MMPretrain image classifiers:
# backbone -> global average pool -> one linear layer (``head.fc``, where the distillation
# configs record the logits). Configs pick one with ``model = {{_base_.resnet8x4}}``.


def _classifier(backbone, width):
    return dict(
        _scope_='mmpretrain', type='ImageClassifier', backbone=backbone,
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=100, in_channels=width,
                  loss=dict(type='CrossEntropyLoss', loss_weight=1.0), topk=(1, 5)))


# teachers
resnet32x4 = _classifier(dict(type='CifarResNet', depth=32, num_filters=(32, 64, 128, 256)), 256)
wrn40_2 = _classifier(dict(type='mmrazor.WideResNet', depth=40, widen_factor=2), 128)
vgg13 = _classifier(dict(type='CifarVGG', depth=13), 512)
# students
resnet8x4 = _classifier(dict(type='CifarResNet', depth=8, num_filters=(32, 64, 128, 256)), 256)
wrn16_2 = _classifier(dict(type='mmrazor.WideResNet', depth=16, widen_factor=2), 128)
vgg8 = _classifier(dict(type='CifarVGG', depth=8), 512)
shufflenet_v2 = _classifier(dict(type='CifarShuffleNetV2', widen_factor=1.0), 1024)
# CRD's "mobile_half"
mobilenet_v2 = _classifier(dict(type='CifarMobileNetV2', widen_factor=0.5), 1280)
