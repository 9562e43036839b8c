# Dense demo KD + PKD: kd_gfl_r34-r18-narrow_shapes.py (SigmoidKDLoss on the assigner
# positives, the teacher's own probabilities) + 6 * PKD on the first four FPN levels through
# a 1x1 ConvConnector, as ckd-pkd_gfl_r34-r18-narrow_shapes.py: the logit baseline of that row.
# Same schedule as the student alone.
_base_ = './kd_gfl_r34-r18-narrow_shapes.py'

model = dict(
    feature_distill=dict(
        connector=dict(type='ConvConnector'),
        loss=dict(type='mmrazor.PKDLoss', loss_weight=6.0),
        levels=[0, 1, 2, 3]))
