# Student baseline, COCO 2017 instance segmentation: Mask R-CNN R-50-FPN trained alone on
# the ReviewCKD schedule, the student of ../reviewckd/*_mask-rcnn_r101-r50_ms-360k_coco.py.
#
# Backbone: torchvision's ImageNet ResNet-50 (mmdet's default); FPN p2-p6, 256 channels.
# Schedule: ../_base_/official_ms-360k_coco-instance.py: 2 GPUs x 4 images, SGD lr 0.01, 360k
#           iterations (steps 240k, 320k), multi-scale 640-800 (ReviewCKD-R50-R101-Mask.yaml).
# Run:      bash tools/dist_train.sh configs/students/mask-rcnn_r50_fpn_ms-360k_coco.py 2
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/official_ms-360k_coco-instance.py',
    '../_base_/ckd_runtime.py',
]
