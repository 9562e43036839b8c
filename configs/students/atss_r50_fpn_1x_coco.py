# Student baseline, COCO 2017: mmdet's ATSS R-50-FPN 1x trained alone (reported box AP 39.4),
# the student of ../single_stage/{ckd,kd}_atss_r101-r50_fpn_1x_coco.py.
# Schedule: mmdet 1x: 12 epochs, 8 GPUs x 2 images, SGD lr 0.01, single scale 1333x800.
# Run:      bash tools/dist_train.sh configs/students/atss_r50_fpn_1x_coco.py 8
_base_ = ['mmdet::atss/atss_r50_fpn_1x_coco.py', '../_base_/ckd_runtime.py']
