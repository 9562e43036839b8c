# The demo teacher: Faster R-CNN ResNet-34 at half width (base 32, 4x the student's FLOPs per
# layer) with a 64-channel FPN and a 256-wide RoI head, from scratch on the shapes set;
# trained longer than the students.
_base_ = './faster-rcnn_r18-narrow_shapes.py'
max_iters = 3000

model = dict(
    backbone=dict(depth=34, base_channels=32),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=64),
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(bbox_roi_extractor=dict(out_channels=64),
                  bbox_head=dict(in_channels=64, fc_out_channels=256)))
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=max_iters, eta_min=4e-4),
]
