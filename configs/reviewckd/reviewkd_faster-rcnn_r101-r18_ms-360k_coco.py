# ReviewKD baseline, COCO 2017: Faster R-CNN R-101-FPN -> Faster R-CNN R-18-FPN:
# reviewckd_faster-rcnn_r101-r18_ms-360k_coco.py
# without the CKD loss; same connector, schedule and student.
#
# Loss:    detection losses + 1.2 * HCL(ReviewKD ABF connector(student p2-p6), teacher
#          p2-p6): ZhouXinzzzzz/CKD detection/model/rcnn.py branch "ReviewKD", LOSS_WEIGHT 1.2
#          from detection/configs/ReviewKD/ReviewKD-R18-R101.yaml. No teacher RoI head forward.
# Schedule: the ReviewCKD one (reviewckd_faster-rcnn_r101-r18_ms-360k_coco.py),
#          so that only the loss differs; the ReviewKD yamls themselves train batch 8 for 180k
#          iterations (steps 120k/160k), except
#          ReviewKD-R18-R101.yaml (360k).
# Run:     bash tools/dist_train.sh \
#              configs/reviewckd/reviewkd_faster-rcnn_r101-r18_ms-360k_coco.py 2
_base_ = './reviewckd_faster-rcnn_r101-r18_ms-360k_coco.py'

model = dict(
    distill_loss=None,
    feature_distill=dict(loss=dict(loss_weight=1.2)))
