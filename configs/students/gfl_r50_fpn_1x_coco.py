# Student baseline, COCO 2017: mmdet's GFL R-50-FPN 1x trained alone (reported box AP 40.2),
# the student of ../single_stage/{ckd,kd,ld}_gfl_r101-r50_fpn_1x_coco.py with the same schedule.
# Schedule: mmdet 1x: 12 epochs, 8 GPUs x 2 images, SGD lr 0.01, single scale 1333x800.
# Run:      bash tools/dist_train.sh configs/students/gfl_r50_fpn_1x_coco.py 8
# Test a distilled checkpoint (it holds plain student keys):
#           python tools/test.py configs/students/gfl_r50_fpn_1x_coco.py <checkpoint>
_base_ = ['mmdet::gfl/gfl_r50_fpn_1x_coco.py', '../_base_/ckd_runtime.py']
