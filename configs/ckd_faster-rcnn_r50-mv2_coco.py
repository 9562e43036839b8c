# CKD, COCO 2017: Faster R-CNN R-50-FPN teacher -> Faster R-CNN MobileNetV2-FPN student.
#
# Teacher: mmdet model zoo faster-rcnn_r50_fpn_ms-3x_coco, reported box AP 40.3
#          (the paper's Detectron2 teacher: 40.22).
# Student: MobileNetV2 (ImageNet weights from open-mmlab://mmdet/mobilenet_v2, BN statistics
#          frozen like mmdet's ResNets) with an FPN on its stride 4/8/16/32 outputs.
# Loss:    detection losses + 0.1 * CKD on the RoI logits, tau = 1.
# Schedule: mmdet 2x, 24 epochs, 8 GPUs x 2 images, SGD lr 0.02.
# Run:     bash tools/dist_train.sh configs/ckd_faster-rcnn_r50-mv2_coco.py 8
# Data:    data/coco/ as in mmdet.
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py'
custom_imports = dict(imports=['ckd_mmdet'], allow_failed_imports=False)

model = dict(
    type='TwoStageDistiller',
    backbone=dict(
        _delete_=True,
        type='MobileNetV2',
        out_indices=(1, 2, 4, 7),  # 24, 32, 96, 1280 channels at strides 4, 8, 16, 32
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://mmdet/mobilenet_v2')),
    neck=dict(in_channels=[24, 32, 96, 1280]),
    teacher_config='mmdet::faster_rcnn/faster-rcnn_r50_fpn_ms-3x_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/'
    'faster_rcnn_r50_fpn_mstrain_3x_coco/'
    'faster_rcnn_r50_fpn_mstrain_3x_coco_20210524_110822-e10bd31c.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=0.1, tau=1.0))
