# KD + PKD, COCO 2017: GFL R-101-FPN teacher -> GFL R-50-FPN student: the combination
# recommended for GFL students (on the shapes GFL pair, 5 seeds: KD + PKD - the student
# alone +2.98 mAP, 95% interval +2.28 ... +3.68; - PKD alone +0.62, +0.16 ... +1.08;
# CKD + PKD - PKD +0.18, -0.60 ... +0.96, no separation; on a second generated set
# KD + PKD - alone +2.48, +1.50 ... +3.46, 5 seeds: docs/results.md).
#
# Teacher: mmdet zoo gfl_r101_fpn_ms-2x_coco, reported box AP 44.7.
# Student: ../students/gfl_r50_fpn_1x_coco.py (mmdet's GFL R-50 1x, reported 40.2 alone).
# Loss:    GFL's losses + kd_gfl_r101-r50_fpn_1x_coco.py's SigmoidKDLoss (weight 1, the
#          student's positives, the teacher's raw probabilities) + 6 * PKD on every FPN level
#          (both necks 256 channels: no connector). Weight 6 on all five levels is CrossKD + PKD's
#          on this pair (jbwang1997/CrossKD configs/crosskd+pkd/
#          crosskd+pkd_r50_gflv1_r101-2x-ms_fpn_1x_coco.py) and MMRazor's PKD Faster R-CNN weight.
# Schedule: mmdet 1x: 12 epochs, 8 GPUs x 2 images, SGD lr 0.01, single scale 1333x800.
# Reproduces: no released code; not trained by us. The closest published row: CrossKD + PKD
#          40.2 -> 43.9 (its own logit loss through the teacher's head, not this KD).
# Run:     bash tools/dist_train.sh configs/single_stage/kd-pkd_gfl_r101-r50_fpn_1x_coco.py 8
_base_ = ['./kd_gfl_r101-r50_fpn_1x_coco.py']

model = dict(feature_distill=dict(loss=dict(type='mmrazor.PKDLoss', loss_weight=6.0)))
