# CKD, COCO 2017: FCOS R-101-caffe teacher -> FCOS R-50-caffe student (GN head, ms 640-800).
#
# Teacher: mmdet zoo fcos_r101-caffe_fpn_gn-head_ms-640-800-2x_coco, reported box AP 40.8.
# Student: ../students/fcos_r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py (38.5 alone).
# Loss:    FCOS's losses + 1.0 * CKD, tau 1, on the student's positive points (class logits;
#          centerness not distilled unless distill_centerness=True).
# Rows:    centred (each row minus its mean), the default measured on the shapes GFL pair
#          (docs/results.md; converged 6000-it students, 5 seeds: CKD - alone -0.80,
#          95% interval -1.52 ... -0.08; KD - alone -0.16, -0.52 ... +0.20: CKD
#          worse than the student alone there, KD no better). Background rows at 3:1, random
#          (samples.background_ratio=3.0, background_pick='random'), were better on that
#          set: - alone +1.02, 95% interval +0.08 ... +1.96, - KD +1.18, +0.15 ... +2.21, 5
#          seeds; a second generated set did not confirm them (5 seeds: - alone -0.56,
#          -2.08 ... +0.96), so they are not the default.
# Schedule: 24 epochs, 8 GPUs x 2 images, SGD lr 0.01, short side 640-800.
# Reproduces: no CKD number exists. CrossKD (configs/crosskd/
#          crosskd_r50_fcos_r101-2x-ms_caffe_fpn_gn-head_2x_ms_coco.py) reports 38.5 -> 41.1.
# Run:     bash tools/dist_train.sh \
#              configs/single_stage/ckd_fcos_r101-r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py 8
_base_ = ['../students/fcos_r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py']

model = dict(
    type='SingleStageDistiller',
    teacher_config='mmdet::fcos/fcos_r101-caffe_fpn_gn-head_ms-640-800-2x_coco.py',
    teacher_ckpt='https://download.openmmlab.com/mmdetection/'
    'v2.0/fcos/fcos_r101_caffe_fpn_gn-head_mstrain_640-800_2x_coco/'
    'fcos_r101_caffe_fpn_gn-head_mstrain_640-800_2x_coco-511424d6.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=1.0, tau=1.0),
    samples=dict(mode='positives', center=True))
