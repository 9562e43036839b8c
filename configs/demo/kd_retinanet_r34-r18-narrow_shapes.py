# RetinaNet demo KD baseline: as ckd_retinanet_r34-r18-narrow_shapes.py, on the same selected
# priors, with CrossKD's soft-target loss for sigmoid scores (SigmoidKDLoss, beta 1, weight 1)
# in place of CKD, on raw rows (the teacher's own probabilities), as
# kd_gfl_r34-r18-narrow_shapes.py.
_base_ = './ckd_retinanet_r34-r18-narrow_shapes.py'

model = dict(distill_loss=dict(_delete_=True, type='SigmoidKDLoss', loss_weight=1.0, beta=1.0),
             samples=dict(_delete_=True, mode='positives', center=False))
