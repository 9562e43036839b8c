# The RetinaNet demo teacher: RetinaNet with the half-width ResNet-34 (base 32) and a 64-channel
# FPN, the same strides and anchors as the student (retinanet_r18-narrow_shapes.py), so their
# priors align; trained from scratch, longer than the students (as gfl_r34_shapes.py).
_base_ = './retinanet_r18-narrow_shapes.py'
max_iters = 3000

model = dict(
    backbone=dict(depth=34, base_channels=32),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=64),
    bbox_head=dict(in_channels=64, feat_channels=64))
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters, eta_min=4e-4),
]
