# CKD, COCO 2017 instance segmentation: Mask R-CNN R-101-FPN teacher -> Mask R-CNN R-18-FPN.
#
# Teacher: mmdet model zoo mask-rcnn_r101_fpn_ms-poly-3x_coco, reported box AP 42.7,
#          mask AP 38.5.
# Student: R-18-FPN Mask R-CNN from torchvision's ImageNet ResNet-18.
# Loss:    detection and mask losses + 0.1 * CKD on the RoI classification logits (the mask
#          head is not distilled), tau = 1.
# Schedule: mmdet 2x, 24 epochs, 8 GPUs x 2 images, SGD lr 0.02.
# Run:     bash tools/dist_train.sh configs/ckd_mask-rcnn_r101-r18_coco.py 8
# Data:    data/coco/ as in mmdet.
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_2x_coco.py'
custom_imports = dict(imports=['ckd_mmdet'], allow_failed_imports=False)

model = dict(
    type='TwoStageDistiller',
    backbone=dict(
        depth=18, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[64, 128, 256, 512]),
    teacher_config='mmdet::mask_rcnn/mask-rcnn_r101_fpn_ms-poly-3x_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/mask_rcnn/'
    'mask_rcnn_r101_fpn_mstrain-poly_3x_coco/'
    'mask_rcnn_r101_fpn_mstrain-poly_3x_coco_20210524_200244-5675c317.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=0.1, tau=1.0))
