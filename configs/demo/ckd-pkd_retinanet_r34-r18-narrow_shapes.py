# RetinaNet demo CKD + PKD: ckd_retinanet_r34-r18-narrow_shapes.py (CKD on the MaxIoU
# positives, centred rows, weight 1) + 10 * PKD on the first four FPN levels: MMRazor's
# RetinaNet recipe (open-mmlab/mmrazor configs/distill/mmdet/pkd/
# pkd_fpn_retina_x101_retina_r50_2x_coco.py: weight 10, where its Faster R-CNN config and our
# GFL demo use 6). The demo FPNs differ in width (32 vs 64 channels): a 1x1 ConvConnector per
# level maps the student's to 64, as ckd-pkd_gfl_r34-r18-narrow_shapes.py. Same schedule as
# the student alone. Screened by benchmarks/distill_quality.py --pair retinanet.
_base_ = './ckd_retinanet_r34-r18-narrow_shapes.py'

model = dict(
    feature_distill=dict(
        connector=dict(type='ConvConnector'),
        loss=dict(type='mmrazor.PKDLoss', loss_weight=10.0),
        levels=[0, 1, 2, 3]))
