# Dense demo KD baseline: as ckd_gfl_r34-r18-narrow_shapes.py, on the same selected priors,
# with CrossKD's soft-target loss for sigmoid scores (SigmoidKDLoss, beta 1, weight 1: BCE to
# the teacher's probabilities times |p_s - p_t|) in place of CKD.
_base_ = './ckd_gfl_r34-r18-narrow_shapes.py'

# Rows: the student's positives with the teacher's raw logits (not centred as CKD's are), so
# the soft targets are the teacher's own probabilities.
model = dict(distill_loss=dict(_delete_=True, type='SigmoidKDLoss', loss_weight=1.0, beta=1.0),
             samples=dict(_delete_=True, mode='positives', center=False))
