# CKD, COCO 2017: Faster R-CNN R-101-FPN teacher -> Faster R-CNN R-50-FPN student.
#
# Teacher: mmdet model zoo faster-rcnn_r101_fpn_ms-3x_coco, reported box AP 41.8.
# Student: R-50-FPN from torchvision's ImageNet ResNet-50 (mmdet's faster-rcnn_r50_fpn_2x).
# Loss:    detection losses + 0.1 * CKD on the RoI logits, tau = 1.
# Schedule: mmdet 2x, 24 epochs, 8 GPUs x 2 images, SGD lr 0.02 (official CKD: lr 0.01 at
#          batch 8, 2x).
# Run:     bash tools/dist_train.sh configs/ckd_faster-rcnn_r101-r50_coco.py 8
# Data:    data/coco/ as in mmdet.
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py'
custom_imports = dict(imports=['ckd_mmdet'], allow_failed_imports=False)

model = dict(
    type='TwoStageDistiller',
    teacher_config='mmdet::faster_rcnn/faster-rcnn_r101_fpn_ms-3x_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/'
    'faster_rcnn_r101_fpn_mstrain_3x_coco/'
    'faster_rcnn_r101_fpn_mstrain_3x_coco_20210524_110822-4d4d2ca8.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=0.1, tau=1.0))
