# Dense demo CKD beside KD: the two losses of ckd_gfl_r34-r18-narrow_shapes.py and
# kd_gfl_r34-r18-narrow_shapes.py side by side, each on its own rows of the same assigner
# positives (one teacher head forward): CKD (weight 1, tau 1) on centred rows, SigmoidKDLoss
# (beta 1, weight 1) on raw rows (the teacher's own probabilities). Same schedule as the
# student alone.
_base_ = './ckd_gfl_r34-r18-narrow_shapes.py'

model = dict(
    distill_loss=[dict(type='CKDLoss', loss_weight=1.0, tau=1.0),
                  dict(type='SigmoidKDLoss', loss_weight=1.0, beta=1.0)],
    samples=[dict(mode='positives', center=True), dict(mode='positives', center=False)])
