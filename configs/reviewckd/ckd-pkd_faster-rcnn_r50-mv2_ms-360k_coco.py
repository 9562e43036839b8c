# CKD + PKD, COCO 2017: Faster R-CNN R-50-FPN -> Faster R-CNN MobileNetV2-FPN:
# reviewckd_faster-rcnn_r50-mv2_ms-360k_coco.py
# with PKD on the FPN in place of ReviewKD. No released code combines the two.
#
# Loss:    detection losses + 0.1 * CKD on the sampled RoIs (as ReviewCKD)
#          + 6 * PKD(student p2-p5, teacher p2-p5): MMRazor's parameter-free PKDLoss (Pearson
#          correlation per channel, no connector), weight 6 on p2-p5 as MMRazor's
#          configs/distill/mmdet/pkd/pkd_fpn_frcnn_r101_frcnn_r50_2x_coco.py. Needs both FPNs
#          to have the same channels (256 here).
# Schedule: the ReviewCKD one (reviewckd_faster-rcnn_r50-mv2_ms-360k_coco.py).
#          Not tuned: PKD's weight comes from MMRazor's 2x Faster R-CNN R-101 -> R-50 recipe.
# Run:     bash tools/dist_train.sh \
#              configs/reviewckd/ckd-pkd_faster-rcnn_r50-mv2_ms-360k_coco.py 2
_base_ = './reviewckd_faster-rcnn_r50-mv2_ms-360k_coco.py'

model = dict(
    feature_distill=dict(
        _delete_=True,
        loss=dict(type='mmrazor.PKDLoss', loss_weight=6.0),
        levels=[0, 1, 2, 3]))
