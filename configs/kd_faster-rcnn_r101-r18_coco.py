# KD baseline, COCO 2017: Faster R-CNN R-101-FPN -> R-18-FPN, same distiller, same RoIs and
# schedule as ckd_faster-rcnn_r101-r18_coco.py; only the distillation loss differs.
#
# Loss: Hinton KD on the RoI logits, T = 1: per RoI the KL divergence summed over the 81
#       classes, averaged over RoIs, weight 1. This is our own analogue: neither the official
#       CKD code nor mdistiller's detection code (megvii-research/mdistiller detection/) has a
#       plain KD method. mmdet's KnowledgeDistillationKLDivLoss averages the KL over classes,
#       hence loss_weight = 81. On the from-scratch shapes proxy this weight collapses the
#       student and 0.1 does not (docs/results.md); untested on COCO.
# Run:  bash tools/dist_train.sh configs/kd_faster-rcnn_r101-r18_coco.py 8
_base_ = './ckd_faster-rcnn_r101-r18_coco.py'

model = dict(
    distill_loss=dict(
        _delete_=True, type='KnowledgeDistillationKLDivLoss', T=1, loss_weight=81.0),
    distill_loss_name='loss_kd')
