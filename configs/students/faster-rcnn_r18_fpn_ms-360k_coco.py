# Student baseline, COCO 2017: Faster R-CNN R-18-FPN trained alone on the ReviewCKD schedule, the
# student of ../reviewckd/*_faster-rcnn_r101-r18_ms-360k_coco.py.
#
# Backbone: torchvision's ImageNet ResNet-18 (torchvision://resnet18); FPN p2-p6, 256 channels.
# Schedule: ../_base_/official_ms-360k_coco-detection.py with ReviewCKD-R18-R101.yaml's batch:
#           2 GPUs x 2 images, SGD lr 0.01, 360k iterations (steps 240k, 320k), multi-scale
#           640-800.
# Run:      bash tools/dist_train.sh configs/students/faster-rcnn_r18_fpn_ms-360k_coco.py 2
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    '../_base_/official_ms-360k_coco-detection.py',
    '../_base_/ckd_runtime.py',
]

model = dict(
    backbone=dict(
        depth=18, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[64, 128, 256, 512]))
train_dataloader = dict(batch_size=2)
auto_scale_lr = dict(base_batch_size=4)
