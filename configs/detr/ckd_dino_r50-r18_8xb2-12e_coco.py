# CKD, COCO 2017: DINO R-50 4-scale teacher -> DINO R-18 4-scale student.
#
# Teacher: mmdet zoo dino-4scale_r50_8xb2-12e_coco, reported box AP 49.0.
# Student: ../students/dino-4scale_r18_8xb2-12e_coco.py (no reported AP alone).
# Loss:    DINO's losses + 1.0 * CKD, tau 1, on the student's Hungarian-matched queries of the
#          last decoder layer (centred rows), the teacher's decoder answering the student's
#          queries (docs/detr.md). The weight is not tuned.
# Schedule: mmdet's 12 epochs, 8 GPUs x 2 images, AdamW lr 1e-4 (the student's own).
# Reproduces: nothing yet; no published number for this pair.
# Run:     bash tools/dist_train.sh configs/detr/ckd_dino_r50-r18_8xb2-12e_coco.py 8
_base_ = ['../students/dino-4scale_r18_8xb2-12e_coco.py']

model = dict(
    type='DINODistiller',
    teacher_config='mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v3.0/dino/'
    'dino-4scale_r50_8xb2-12e_coco/dino-4scale_r50_8xb2-12e_coco_20221202_182705-55b2bba2.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=1.0, tau=1.0),
    samples=dict(mode='positives', center=True))
