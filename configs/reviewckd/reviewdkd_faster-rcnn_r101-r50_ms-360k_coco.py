# ReviewDKD baseline, COCO 2017: Faster R-CNN R-101-FPN -> Faster R-CNN R-50-FPN:
# reviewckd_faster-rcnn_r101-r50_ms-360k_coco.py
# with DKD in place of CKD on the same sampled RoIs; same connector, schedule and student.
#
# Loss:    detection losses + DKD(student RoI logits, teacher RoI logits, RoI labels),
#          alpha 1, beta 0.25, T 1, weight 1 (mdistiller's detection DKD: KD.DKD in
#          detection/model/config.py, added unweighted in rcnn.py) + 1.0 * HCL as ReviewKD
#          (REVIEWKD.LOSS_WEIGHT 1.0 in ZhouXinzzzzz/CKD
#          detection/configs/DKD/ReviewDKD-R50-R101.yaml).
#          MMRazor's DKDLoss with reduction 'batchmean' (see ../dkd_faster-rcnn_r101-r18_coco.py).
# Schedule: the ReviewCKD one (reviewckd_faster-rcnn_r101-r50_ms-360k_coco.py);
#          the ReviewDKD yamls train batch 8 for 180k iterations (steps 120k/160k), except
#          ReviewDKD-R50-R101-Mask.yaml (360k).
# Run:     bash tools/dist_train.sh \
#              configs/reviewckd/reviewdkd_faster-rcnn_r101-r50_ms-360k_coco.py 2
_base_ = './reviewckd_faster-rcnn_r101-r50_ms-360k_coco.py'

model = dict(
    distill_loss=dict(
        _delete_=True, type='mmrazor.DKDLoss', tau=1.0, alpha=1.0, beta=0.25,
        reduction='batchmean', loss_weight=1.0),
    distill_loss_name='loss_dkd',
    feature_distill=dict(loss=dict(loss_weight=1.0)))
