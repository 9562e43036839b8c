# CKD, COCO 2017: DINO Swin-L 5-scale teacher -> DINO R-50 4-scale student.
#
# Teacher: mmdet zoo dino-5scale_swin-l_8xb2-12e_coco, reported box AP 57.2.
# Student: ../students/dino-4scale_r50_8xb2-12e_coco.py (mmdet's DINO R-50 12e, 49.0 alone).
# Loss:    DINO's losses + 1.0 * CKD, tau 1, on the student's Hungarian-matched queries of the
#          last decoder layer (one row per object, 80 sigmoid columns, centred), all images of
#          a GPU pooled. The teacher's decoder answers the student's queries: it starts from
#          the student's initial boxes (encoder proposals) with its own first 900 content
#          queries (after KD-DETR's consistent distillation points; docs/detr.md). The weight is
#          not tuned: no CKD number exists for any DETR.
# Schedule: mmdet's 12 epochs, 8 GPUs x 2 images, AdamW lr 1e-4 (the student's own).
# Reproduces: nothing yet. Anchors: KD-DETR (Wang et al., CVPR 2024) reports DINO R-50 12e
#          49.0 -> 51.6 with its own distillation (second-hand table); DETRDistill reports
#          Deformable DETR R-101 -> R-50 44.1 -> 46.6.
# Run:     bash tools/dist_train.sh configs/detr/ckd_dino_swin-l-r50_8xb2-12e_coco.py 8
_base_ = ['../students/dino-4scale_r50_8xb2-12e_coco.py']

model = dict(
    type='DINODistiller',
    teacher_config='mmdet::dino/dino-5scale_swin-l_8xb2-12e_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v3.0/dino/'
    'dino-5scale_swin-l_8xb2-12e_coco/'
    'dino-5scale_swin-l_8xb2-12e_coco_20230228_072924-a654145f.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=1.0, tau=1.0),
    samples=dict(mode='positives', center=True))
