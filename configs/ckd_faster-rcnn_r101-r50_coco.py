# CKD only, COCO 2017: Faster R-CNN R-101-FPN teacher -> Faster R-CNN R-50-FPN student.
#
# Teacher: mmdet model zoo faster-rcnn_r101_fpn_ms-3x_coco, reported box AP 41.8.
# Student: students/faster-rcnn_r50_fpn_2x_coco.py (mmdet's R-50-FPN 2x, reported 38.4 alone).
# Loss:    detection losses + 0.1 * CKD on the RoI logits, tau = 1. No feature loss.
# Schedule: mmdet 2x: 24 epochs, 8 GPUs x 2 images, SGD lr 0.02, single scale 1333x800.
# Official: the CKD authors released COCO detection only as ReviewCKD (CKD on the RoI logits plus
#          ReviewKD's FPN feature loss), ZhouXinzzzzz/CKD detection/configs/CKD/ReviewCKD-*.yaml
#          on Detectron2: 2 GPUs, multi-scale training (short side 640-800),
#          R-50 <- R-101 (ReviewCKD-R50-R101.yaml) batch 8, lr 0.01, 360k iterations (steps
#          240k, 320k), about 24 epochs. This config is CKD alone with mmdet's schedule.
# Run:     bash tools/dist_train.sh configs/ckd_faster-rcnn_r101-r50_coco.py 8
# Data:    data/coco/ as in mmdet.
_base_ = ['./students/faster-rcnn_r50_fpn_2x_coco.py']

model = dict(
    type='TwoStageDistiller',
    teacher_config='mmdet::faster_rcnn/faster-rcnn_r101_fpn_ms-3x_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/'
    'faster_rcnn_r101_fpn_mstrain_3x_coco/'
    'faster_rcnn_r101_fpn_mstrain_3x_coco_20210524_110822-4d4d2ca8.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=0.1, tau=1.0))
