# DINO demo KD baseline: as ckd_dino_r34-r18-narrow_shapes.py (teacher, consistent points,
# schedule), with SigmoidKDLoss (beta 1, weight 1) in place of CKD on every matching query,
# weighted by the teacher's highest class probability (KD-DETR's confidence weighting), raw
# rows: the KD baseline of configs/detr/kd_dino_r50-r18_8xb2-12e_coco.py.
_base_ = './ckd_dino_r34-r18-narrow_shapes.py'

model = dict(distill_loss=dict(_delete_=True, type='SigmoidKDLoss', loss_weight=1.0, beta=1.0),
             samples=dict(_delete_=True, mode='all', weight='teacher_confidence', center=False))
