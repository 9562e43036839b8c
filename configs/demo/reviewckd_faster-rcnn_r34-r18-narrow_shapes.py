# Demo ReviewCKD: ckd_faster-rcnn_r34-r18-narrow_shapes.py plus ReviewKD's feature loss on the
# FPN, the CKD authors' detection recipe at demo scale: 0.1 * CKD on the sampled RoIs + 1.2 *
# HCL(ABF connector(student p2-p6, 32 channels) -> teacher p2-p6, 64 channels), mid 32 (the
# student's width, as mid 256 = the FPN width in ReviewKD's detection code); the weight is the
# official R-18 <- R-101 one, not tuned here. Same schedule as the student alone.
_base_ = './ckd_faster-rcnn_r34-r18-narrow_shapes.py'

model = dict(
    feature_distill=dict(
        connector=dict(type='ReviewKDConnector', mid_channels=32),
        loss=dict(type='HCLLoss', loss_weight=1.2)))
