# Student baseline, COCO 2017: mmdet's DINO R-50 4-scale 12e trained alone (reported box AP
# 49.0), the student of ../detr/{ckd,kd}_dino_swin-l-r50_8xb2-12e_coco.py.
# Schedule: mmdet's 12 epochs, 8 GPUs x 2 images, AdamW lr 1e-4, multi-scale DETR pipeline.
# Run:      bash tools/dist_train.sh configs/students/dino-4scale_r50_8xb2-12e_coco.py 8
_base_ = ['mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py', '../_base_/ckd_runtime.py']
