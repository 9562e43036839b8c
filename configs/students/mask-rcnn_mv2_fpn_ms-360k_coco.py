# Student baseline, COCO 2017 instance segmentation: Mask R-CNN MobileNetV2-FPN trained alone on
# the ReviewCKD schedule, the student of ../reviewckd/*_mask-rcnn_r50-mv2_ms-360k_coco.py.
#
# Backbone: as faster-rcnn_mv2_fpn_2x_coco.py (ImageNet MobileNetV2, stride 4-32 outputs, no
#           frozen stage as FREEZE_AT 0 in ReviewCKD-MV2-R50-Mask.yaml; BN statistics frozen).
# Schedule: ../_base_/official_ms-360k_coco-instance.py: 2 GPUs x 4 images, SGD lr 0.01, 360k
#           iterations (steps 240k, 320k), multi-scale 640-800.
# Run:      bash tools/dist_train.sh configs/students/mask-rcnn_mv2_fpn_ms-360k_coco.py 2
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/official_ms-360k_coco-instance.py',
    '../_base_/ckd_runtime.py',
]

model = dict(
    backbone=dict(
        _delete_=True,
        type='MobileNetV2',
        out_indices=(1, 2, 4, 7),  # 24, 32, 96, 1280 channels at strides 4, 8, 16, 32
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://mmdet/mobilenet_v2')),
    neck=dict(in_channels=[24, 32, 96, 1280]))
