# Student baseline, COCO 2017: two-stage Deformable DETR with box refinement, 50e, with a
# ResNet-18 (ImageNet init, torchvision) in place of the R-50, trained alone; the student of
# ../detr/{ckd,kd}_deformable-detr-refine-twostage_r50-r18_16xb2-50e_coco.py. mmdet ships no
# Deformable DETR R-18 and reports no AP for one; everything but the backbone and the neck's
# input channels is mmdet's R-50 config (reported box AP 47.0).
# Schedule: mmdet's 50 epochs (lr x 0.1 at 40), 16 GPUs x 2 images, AdamW lr 2e-4,
#           multi-scale DETR pipeline.
# Run:      bash tools/dist_train.sh \
#               configs/students/deformable-detr-refine-twostage_r18_16xb2-50e_coco.py 16
_base_ = ['mmdet::deformable_detr/deformable-detr-refine-twostage_r50_16xb2-50e_coco.py',
          '../_base_/ckd_runtime.py']

model = dict(
    backbone=dict(depth=18, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[128, 256, 512]))
