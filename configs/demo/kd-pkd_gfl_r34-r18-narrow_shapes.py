# Dense demo KD + PKD: ckd-pkd_gfl_r34-r18-narrow_shapes.py (the same PKD, 6 on the first four
# FPN levels through a 1x1 ConvConnector) with the logit loss of kd_gfl_r34-r18-narrow_shapes.py
# in place of CKD: SigmoidKDLoss (beta 1, weight 1) on the positives' raw rows (the teacher's
# own probabilities). The logit baseline of the CKD + PKD row. Same schedule as the student.
# The recommended config for GFL students on the shapes proxy: KD + PKD - the student alone +2.98
# mAP, 95 % interval +2.28 ... +3.68 over 5 seeds (docs/results.md, 2026-12-02);
# PKD alone gives +2.36 of it and KD adds +0.62 (+0.16 ... +1.08) beside PKD, both over
# 5 seeds. On a second generated set (data/shapes_b): +2.48, +1.50 ... +3.46, 5 seeds
# (2026-12-03). No COCO run has been made.
_base_ = './ckd-pkd_gfl_r34-r18-narrow_shapes.py'

model = dict(distill_loss=dict(_delete_=True, type='SigmoidKDLoss', loss_weight=1.0, beta=1.0),
             samples=dict(_delete_=True, mode='positives', center=False))
