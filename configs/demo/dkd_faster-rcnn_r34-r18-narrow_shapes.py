# Demo DKD baseline: as ckd_faster-rcnn_r34-r18-narrow_shapes.py with MMRazor's DKDLoss fed the
# sampled RoI labels (alpha 1, beta 0.25, T 1, 'batchmean').
_base_ = './ckd_faster-rcnn_r34-r18-narrow_shapes.py'

model = dict(
    distill_loss=dict(
        _delete_=True, type='mmrazor.DKDLoss', tau=1.0, alpha=1.0, beta=0.25,
        reduction='batchmean', loss_weight=1.0),
    distill_loss_name='loss_dkd')
