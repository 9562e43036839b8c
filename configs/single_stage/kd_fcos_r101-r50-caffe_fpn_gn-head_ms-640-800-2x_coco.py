# KD baseline for
#   ckd_fcos_r101-r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py:
# the same distiller, teacher, selected priors (the student's positives) and schedule; the
# loss differs, and its rows are not centred. Loss: CrossKD's soft-target loss for sigmoid
# scores (jbwang1997/CrossKD KDQualityFocalLoss, beta 1, weight 1: per class BCE to the
# teacher's probability times |p_student - p_teacher|), here SigmoidKDLoss, averaged over the
# selected priors (CrossKD sums over all priors and divides by the number of positives).
# Run:  bash tools/dist_train.sh \
#           configs/single_stage/kd_fcos_r101-r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py 8
_base_ = ['./ckd_fcos_r101-r50-caffe_fpn_gn-head_ms-640-800-2x_coco.py']

# Rows: the student's positives with the teacher's raw logits (not centred as CKD's are), so
# the soft targets are the teacher's own probabilities.
model = dict(distill_loss=dict(_delete_=True, type='SigmoidKDLoss', loss_weight=1.0, beta=1.0),
             samples=dict(_delete_=True, mode='positives', center=False))
