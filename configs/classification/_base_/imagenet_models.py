# The ImageNet networks of the CKD pairs as MMPretrain image classifiers (the linear
# classifier is ``head.fc``, where the distillation configs record the logits). Configs pick
# one with ``model = {{_base_.resnet18}}``.


def _classifier(backbone, width):
    return dict(
        _scope_='mmpretrain', type='ImageClassifier', backbone=backbone,
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=1000, in_channels=width,
                  loss=dict(type='CrossEntropyLoss', loss_weight=1.0), topk=(1, 5)))


def _resnet(depth):
    return dict(type='ResNet', depth=depth, num_stages=4, out_indices=(3, ), style='pytorch')


# teachers: MMPretrain's model-zoo weights (top-1 73.62 and 76.55 in its metafile)
resnet34 = _classifier(_resnet(34), 512)
resnet34_ckpt = ('https://download.openmmlab.com/mmclassification/v0/resnet/'
                 'resnet34_8xb32_in1k_20210831-f257d4e6.pth')
resnet50 = _classifier(_resnet(50), 2048)
resnet50_ckpt = ('https://download.openmmlab.com/mmclassification/v0/resnet/'
                 'resnet50_8xb32_in1k_20210831-ea4938fc.pth')
# students
resnet18 = _classifier(_resnet(18), 512)
mobilenet_v1 = _classifier(dict(type='MobileNetV1'), 1024)
