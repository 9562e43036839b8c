# Student baseline, COCO 2017 instance segmentation: Mask R-CNN R-18-FPN trained alone, the
# student of ../ckd_mask-rcnn_r101-r18_coco.py with the same schedule.
#
# Backbone: torchvision's ImageNet ResNet-18 (torchvision://resnet18).
# Schedule: mmdet 2x: 24 epochs, 8 GPUs x 2 images, SGD lr 0.02 (steps at 16, 22), single
#           scale 1333x800.
# Run:      bash tools/dist_train.sh configs/students/mask-rcnn_r18_fpn_2x_coco.py 8
_base_ = ['mmdet::mask_rcnn/mask-rcnn_r50_fpn_2x_coco.py', '../_base_/ckd_runtime.py']

model = dict(
    backbone=dict(
        depth=18, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[64, 128, 256, 512]))
