# Student baseline, COCO 2017: Faster R-CNN R-50-FPN trained alone (mmdet's
# faster-rcnn_r50_fpn_2x_coco, reported box AP 38.4), the student of
# ../ckd_faster-rcnn_r101-r50_coco.py with the same schedule.
#
# Schedule: mmdet 2x: 24 epochs, 8 GPUs x 2 images, SGD lr 0.02 (steps at 16, 22), single
#           scale 1333x800; backbone from torchvision://resnet50.
# Run:      bash tools/dist_train.sh configs/students/faster-rcnn_r50_fpn_2x_coco.py 8
_base_ = ['mmdet::faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py', '../_base_/ckd_runtime.py']
