# Student baseline, COCO 2017: mmdet's RetinaNet R-50-FPN 2x trained alone (reported box AP
# 37.4), the student of ../single_stage/{ckd,kd}_retinanet_r101-r50_fpn_2x_coco.py.
# Schedule: mmdet 2x: 24 epochs, 8 GPUs x 2 images, SGD lr 0.01, single scale 1333x800.
# Run:      bash tools/dist_train.sh configs/students/retinanet_r50_fpn_2x_coco.py 8
_base_ = ['mmdet::retinanet/retinanet_r50_fpn_2x_coco.py', '../_base_/ckd_runtime.py']
