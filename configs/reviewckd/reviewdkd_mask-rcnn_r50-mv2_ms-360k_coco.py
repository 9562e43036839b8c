# ReviewDKD baseline, COCO 2017 instance segmentation: Mask R-CNN R-50-FPN -> Mask R-CNN
# MobileNetV2-FPN: reviewckd_mask-rcnn_r50-mv2_ms-360k_coco.py
# with DKD in place of CKD on the same sampled RoIs; same connector, schedule and student.
#
# Loss:    detection and mask losses + DKD(student RoI logits, teacher RoI logits, RoI labels),
#          alpha 1, beta 0.25, T 1, weight 1 (mdistiller's detection DKD: KD.DKD in
#          detection/model/config.py, added unweighted in rcnn.py) + 2.0 * HCL as ReviewKD
#          (REVIEWKD.LOSS_WEIGHT 2.0 in ZhouXinzzzzz/CKD
#          detection/configs/DKD/ReviewDKD-MV2-R50-Mask.yaml).
#          MMRazor's DKDLoss with reduction 'batchmean' (see ../dkd_faster-rcnn_r101-r18_coco.py).
# Schedule: the ReviewCKD one (reviewckd_mask-rcnn_r50-mv2_ms-360k_coco.py);
#          the ReviewDKD yamls train batch 8 for 180k iterations (steps 120k/160k), except
#          ReviewDKD-R50-R101-Mask.yaml (360k).
# Run:     bash tools/dist_train.sh \
#              configs/reviewckd/reviewdkd_mask-rcnn_r50-mv2_ms-360k_coco.py 2
_base_ = './reviewckd_mask-rcnn_r50-mv2_ms-360k_coco.py'

model = dict(
    distill_loss=dict(
        _delete_=True, type='mmrazor.DKDLoss', tau=1.0, alpha=1.0, beta=0.25,
        reduction='batchmean', loss_weight=1.0),
    distill_loss_name='loss_dkd',
    feature_distill=dict(loss=dict(loss_weight=2.0)))
