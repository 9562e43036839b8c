# Student baseline, COCO 2017 instance segmentation: Mask R-CNN R-18-FPN trained alone on
# the ReviewCKD schedule, the student of ../reviewckd/*_mask-rcnn_r101-r18_ms-360k_coco.py.
#
# Backbone: torchvision's ImageNet ResNet-18 (torchvision://resnet18); FPN p2-p6, 256 channels.
# Schedule: ../_base_/official_ms-360k_coco-instance.py (ReviewCKD-R18-R101-Mask.yaml):
#           2 GPUs x 4 images, SGD lr 0.01, 360k iterations (steps 240k, 320k), multi-scale
#           640-800.
# Run:      bash tools/dist_train.sh configs/students/mask-rcnn_r18_fpn_ms-360k_coco.py 2
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/official_ms-360k_coco-instance.py',
    '../_base_/ckd_runtime.py',
]

model = dict(
    backbone=dict(
        depth=18, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[64, 128, 256, 512]))
