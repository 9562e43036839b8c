# Demo KD baseline: as ckd_faster-rcnn_r34-r18-narrow_shapes.py with Hinton KD (T = 1) at CKD's
# weight, 0.1 per RoI on the KL summed over the 13 classes (mmdet's loss averages the KL over
# classes, hence loss_weight = 1.3). At weight 1 (loss_weight = 13) KD collapses this
# from-scratch student (seed 0: 24.7 bbox mAP against 56.2 alone; 0.1: 52.7): a plateau while
# the learning rate is at its peak (docs/results.md, "Why KD and DKD collapsed").
_base_ = './ckd_faster-rcnn_r34-r18-narrow_shapes.py'

model = dict(
    distill_loss=dict(
        _delete_=True, type='KnowledgeDistillationKLDivLoss', T=1, loss_weight=1.3),
    distill_loss_name='loss_kd')
