# Demo ReviewKD baseline: reviewckd_faster-rcnn_r34-r18-narrow_shapes.py without the CKD loss
# (1.2 * HCL through the ABF connector only). Same schedule as the student alone.
_base_ = './reviewckd_faster-rcnn_r34-r18-narrow_shapes.py'

model = dict(distill_loss=None)
