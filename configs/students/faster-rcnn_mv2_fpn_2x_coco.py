# Student baseline, COCO 2017: Faster R-CNN MobileNetV2-FPN trained alone, the student of
# ../ckd_faster-rcnn_r50-mv2_coco.py with the same schedule.
#
# Backbone: MobileNetV2 with ImageNet weights (open-mmlab://mmdet/mobilenet_v2), BN statistics
#           frozen like mmdet's ResNets; FPN on its stride 4/8/16/32 outputs.
# Schedule: mmdet 2x: 24 epochs, 8 GPUs x 2 images, SGD lr 0.02 (steps at 16, 22), single
#           scale 1333x800.
# Run:      bash tools/dist_train.sh configs/students/faster-rcnn_mv2_fpn_2x_coco.py 8
_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py', '../_base_/ckd_runtime.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='MobileNetV2',
        out_indices=(1, 2, 4, 7),  # 24, 32, 96, 1280 channels at strides 4, 8, 16, 32
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://mmdet/mobilenet_v2')),
    neck=dict(in_channels=[24, 32, 96, 1280]))
