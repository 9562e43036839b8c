# Demo KD baseline: as ckd_faster-rcnn_r34-r18-narrow_shapes.py with Hinton KD (T = 1, the
# per-RoI KL summed over the 13 classes: mmdet's loss averages it, hence loss_weight = 13).
_base_ = './ckd_faster-rcnn_r34-r18-narrow_shapes.py'

model = dict(
    distill_loss=dict(
        _delete_=True, type='KnowledgeDistillationKLDivLoss', T=1, loss_weight=13.0),
    distill_loss_name='loss_kd')
