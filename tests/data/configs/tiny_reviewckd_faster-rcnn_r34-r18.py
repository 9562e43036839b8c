# ReviewCKD (CKD + ReviewKD's connector and HCL loss) from the tiny R-34 teacher into the tiny
# R-18 student. Tests give teacher_ckpt.
_base_ = './tiny_ckd_faster-rcnn_r34-r18.py'

model = dict(
    feature_distill=dict(
        connector=dict(type='ReviewKDConnector', mid_channels=16),
        loss=dict(type='HCLLoss', loss_weight=1.2)))
