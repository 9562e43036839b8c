# CKD only, COCO 2017: Faster R-CNN R-101-FPN teacher -> Faster R-CNN R-18-FPN student.
#
# Teacher: mmdet model zoo faster-rcnn_r101_fpn_ms-3x_coco, reported box AP 41.8.
# Student: students/faster-rcnn_r18_fpn_2x_coco.py (R-18-FPN, ImageNet-initialised).
# Loss:    student detection losses + 0.1 * CKD(student RoI cls_score, teacher RoI cls_score),
#          tau = 1 (ZhouXinzzzzz/CKD detection/model/rcnn.py ckd_loss; weight and tau in
#          detection/model/config.py KD.CKD), on the student's 512 sampled RoIs per image, all
#          images of a GPU together (as rcnn.py, on its sampled proposals). No feature loss.
# Schedule: mmdet 2x: 24 epochs, 8 GPUs x 2 images, SGD lr 0.02 (steps at 16, 22), single
#          scale 1333x800. --auto-scale-lr adapts lr to another total batch.
# Official: the CKD authors released COCO detection only as ReviewCKD (CKD on the RoI logits plus
#          ReviewKD's FPN feature loss), ZhouXinzzzzz/CKD detection/configs/CKD/ReviewCKD-*.yaml
#          on Detectron2: 2 GPUs, multi-scale training (short side 640-800),
#          R-18 <- R-101 (ReviewCKD-R18-R101.yaml) batch 4, lr 0.01, 360k iterations (steps
#          240k, 320k), about 12 epochs at twice the linearly scaled lr. This config is CKD
#          alone with mmdet's schedule: neither that recipe nor a reproduction of its numbers.
# Run:     bash tools/dist_train.sh configs/ckd_faster-rcnn_r101-r18_coco.py 8
#          bash tools/dist_test.sh configs/ckd_faster-rcnn_r101-r18_coco.py \
#              work_dirs/ckd_faster-rcnn_r101-r18_coco/epoch_24.pth 8
#          (or test with the plain student config, students/faster-rcnn_r18_fpn_2x_coco.py)
# Data:    data/coco/{train2017,val2017,annotations} as in mmdet.
_base_ = ['./students/faster-rcnn_r18_fpn_2x_coco.py']

model = dict(
    type='TwoStageDistiller',
    teacher_config='mmdet::faster_rcnn/faster-rcnn_r101_fpn_ms-3x_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/'
    'faster_rcnn_r101_fpn_mstrain_3x_coco/'
    'faster_rcnn_r101_fpn_mstrain_3x_coco_20210524_110822-4d4d2ca8.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=0.1, tau=1.0))
