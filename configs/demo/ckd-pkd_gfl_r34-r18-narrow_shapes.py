# Dense demo CKD + PKD: ckd_gfl_r34-r18-narrow_shapes.py (CKD on the assigner positives,
# centred rows, weight 1) + 6 * PKD (MMRazor's PKDLoss as its Faster R-CNN config: weight 6 on
# the first four FPN levels; its RetinaNet config uses 10; open-mmlab/mmrazor
# configs/distill/mmdet/pkd/). The demo FPNs differ in width (32 vs 64 channels),
# which PKD cannot compare: a 1x1 ConvConnector per level maps the student's to 64. CrossKD +
# PKD is the best published GFL R-101 -> R-50 result; this is CKD's row beside it.
# Same schedule as the student alone. Measured on the shapes proxy (docs/results.md,
# 2026-12-02, 5 seeds): - the student alone +2.54 (95 % interval +1.66 ... +3.42), but
# - PKD alone +0.18 (-0.60 ... +0.96): no separation, the gain is PKD's.
_base_ = './ckd_gfl_r34-r18-narrow_shapes.py'

model = dict(
    feature_distill=dict(
        connector=dict(type='ConvConnector'),
        loss=dict(type='mmrazor.PKDLoss', loss_weight=6.0),
        levels=[0, 1, 2, 3]))
