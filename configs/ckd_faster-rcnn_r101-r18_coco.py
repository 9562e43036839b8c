# CKD, COCO 2017: Faster R-CNN R-101-FPN teacher -> Faster R-CNN R-18-FPN student.
#
# Teacher: mmdet model zoo faster-rcnn_r101_fpn_ms-3x_coco, reported box AP 41.8
#          (DESIGN reference: the paper's Detectron2 teacher has 42.04).
# Student: R-18-FPN from torchvision's ImageNet ResNet-18, mmdet's usual initialisation.
# Loss:    student detection losses + 0.1 * CKD(student RoI cls_score, teacher RoI cls_score),
#          tau = 1, on the student's 512 sampled RoIs per image, all images of a GPU together.
# Schedule: mmdet 2x, 24 epochs, 8 GPUs x 2 images, SGD lr 0.02 (steps at 16 and 22), single
#          scale 1333x800. The official CKD code trains 2x with lr 0.01 at batch 8 (R-18:
#          batch 4): the same linearly scaled lr. --auto-scale-lr adapts it to other batches.
# Run:     bash tools/dist_train.sh configs/ckd_faster-rcnn_r101-r18_coco.py 8
#          bash tools/dist_test.sh configs/ckd_faster-rcnn_r101-r18_coco.py \
#              work_dirs/ckd_faster-rcnn_r101-r18_coco/epoch_24.pth 8
# Data:    data/coco/{train2017,val2017,annotations} as in mmdet.
_base_ = 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py'
custom_imports = dict(imports=['ckd_mmdet'], allow_failed_imports=False)

model = dict(
    type='TwoStageDistiller',
    backbone=dict(
        depth=18, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[64, 128, 256, 512]),
    teacher_config='mmdet::faster_rcnn/faster-rcnn_r101_fpn_ms-3x_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/'
    'faster_rcnn_r101_fpn_mstrain_3x_coco/'
    'faster_rcnn_r101_fpn_mstrain_3x_coco_20210524_110822-4d4d2ca8.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=0.1, tau=1.0))
