# Student baseline, COCO 2017: DINO 4-scale 12e with a ResNet-18 (ImageNet init, torchvision)
# in place of the R-50, trained alone; the student of
# ../detr/{ckd,kd}_dino_r50-r18_8xb2-12e_coco.py. mmdet ships no DINO R-18 and reports no AP
# for one; everything but the backbone and the neck's input channels is mmdet's R-50 config.
# Schedule: mmdet's 12 epochs, 8 GPUs x 2 images, AdamW lr 1e-4, multi-scale DETR pipeline.
# Run:      bash tools/dist_train.sh configs/students/dino-4scale_r18_8xb2-12e_coco.py 8
_base_ = ['mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py', '../_base_/ckd_runtime.py']

model = dict(
    backbone=dict(depth=18, init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(in_channels=[128, 256, 512]))
