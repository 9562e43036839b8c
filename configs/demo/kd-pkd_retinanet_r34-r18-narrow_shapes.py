# RetinaNet demo KD + PKD: the PKD of ckd-pkd_retinanet_r34-r18-narrow_shapes.py (10 on the
# first four FPN levels, 1x1 ConvConnector) with the logit loss of
# kd_retinanet_r34-r18-narrow_shapes.py in place of CKD: SigmoidKDLoss (beta 1, weight 1) on
# the positives' raw rows. The GFL pair's recommended combination (kd-pkd_gfl_...) carried
# to 9 anchors per location. Screened over 3 seeds (benchmarks/distill_quality.py --pair
# retinanet, 6000 it, 2026-12-03): - the student alone -0.23 mAP (95 % interval -4.88 ...
# +4.42), below KD alone on every seed: no gain seen here (docs/results.md).
_base_ = './ckd-pkd_retinanet_r34-r18-narrow_shapes.py'

model = dict(distill_loss=dict(_delete_=True, type='SigmoidKDLoss', loss_weight=1.0, beta=1.0),
             samples=dict(_delete_=True, mode='positives', center=False))
