# CKD, COCO 2017: two-stage Deformable DETR (box refinement) R-50 teacher -> the same detector
# with an R-18.
#
# Teacher: mmdet zoo deformable-detr-refine-twostage_r50_16xb2-50e_coco, reported box AP 47.0.
# Student: ../students/deformable-detr-refine-twostage_r18_16xb2-50e_coco.py (no reported AP
#          alone).
# Loss:    Deformable DETR's losses + 1.0 * CKD, tau 1, on the student's Hungarian-matched
#          queries of the last decoder layer (one row per object, 80 sigmoid columns, centred),
#          all images of a GPU pooled. The teacher's decoder answers the student's 300 queries:
#          it starts from the student's initial boxes (encoder proposals) with the query and
#          positional query its own pre_decoder makes from boxes (docs/detr.md). The weight
#          is not tuned.
# Schedule: mmdet's 50 epochs, 16 GPUs x 2 images, AdamW lr 2e-4 (the student's own).
# Reproduces: nothing yet; no published number for this pair. Anchor: DETRDistill's
#          Deformable DETR R-101 -> R-50 44.1 -> 46.6 with its own distillation (the figure
#          issue 22 quotes; its table and Deformable DETR variant not checked here).
# Run:     bash tools/dist_train.sh \
#              configs/detr/ckd_deformable-detr-refine-twostage_r50-r18_16xb2-50e_coco.py 16
_base_ = ['../students/deformable-detr-refine-twostage_r18_16xb2-50e_coco.py']

model = dict(
    type='DeformableDETRDistiller',
    teacher_config='mmdet::deformable_detr/deformable-detr-refine-twostage_r50_16xb2-50e_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/v3.0/deformable_detr/'
    'deformable-detr-refine-twostage_r50_16xb2-50e_coco/'
    'deformable-detr-refine-twostage_r50_16xb2-50e_coco_20221021_184714-acc8a5ff.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=1.0, tau=1.0),
    samples=dict(mode='positives', center=True))
