# CKD from the tiny R-34 teacher into the tiny R-18 student. Tests give teacher_ckpt.
_base_ = './tiny_faster-rcnn_r18.py'

model = dict(
    type='TwoStageDistiller',
    teacher_config='{{ fileDirname }}/tiny_faster-rcnn_r34.py',
    teacher_ckpt=None,
    distill_loss=dict(type='CKDLoss', loss_weight=0.1, tau=1.0))
