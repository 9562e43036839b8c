# Demo CKD + PKD: 0.1 * CKD on the sampled RoIs + 6 * PKD (MMRazor's PKDLoss, weight as its
# Faster R-CNN config) on p2-p5. The demo FPNs differ in width (32 vs 64 channels), which PKD
# cannot compare: a 1x1 ConvConnector per level maps the student's to 64 channels (on COCO
# both FPNs have 256 and there is none). Same schedule as the student alone.
_base_ = './ckd_faster-rcnn_r34-r18-narrow_shapes.py'

model = dict(
    feature_distill=dict(
        connector=dict(type='ConvConnector'),
        loss=dict(type='mmrazor.PKDLoss', loss_weight=6.0),
        levels=[0, 1, 2, 3]))
