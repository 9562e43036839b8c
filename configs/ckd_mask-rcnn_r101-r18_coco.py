# CKD only, COCO 2017 instance segmentation: Mask R-CNN R-101-FPN teacher -> Mask R-CNN
# R-18-FPN student.
#
# Teacher: mmdet model zoo mask-rcnn_r101_fpn_ms-poly-3x_coco, reported box AP 42.7, mask
#          AP 38.5.
# Student: students/mask-rcnn_r18_fpn_2x_coco.py (R-18-FPN, ImageNet-initialised).
# Loss:    detection and mask losses + 0.1 * CKD on the RoI classification logits (the mask
#          head is not distilled), tau = 1. No feature loss.
# Schedule: mmdet 2x: 24 epochs, 8 GPUs x 2 images, SGD lr 0.02, single scale 1333x800.
# Official: the CKD authors released COCO detection only as ReviewCKD (CKD on the RoI logits plus
#          ReviewKD's FPN feature loss), ZhouXinzzzzz/CKD detection/configs/CKD/ReviewCKD-*.yaml
#          on Detectron2: 2 GPUs, multi-scale training (short side 640-800),
#          Mask R-CNN R-18 <- R-101 (ReviewCKD-R18-R101-Mask.yaml) batch 8, lr 0.01, 360k
#          iterations (steps 240k, 320k), about 24 epochs. This config is CKD alone with
#          mmdet's schedule.
# Run:     bash tools/dist_train.sh configs/ckd_mask-rcnn_r101-r18_coco.py 8
# Data:    data/coco/ as in mmdet.
_base_ = ['./students/mask-rcnn_r18_fpn_2x_coco.py']

model = dict(
    type='TwoStageDistiller',
    teacher_config='mmdet::mask_rcnn/mask-rcnn_r101_fpn_ms-poly-3x_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/mask_rcnn/'
    'mask_rcnn_r101_fpn_mstrain-poly_3x_coco/'
    'mask_rcnn_r101_fpn_mstrain-poly_3x_coco_20210524_200244-5675c317.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=0.1, tau=1.0))
