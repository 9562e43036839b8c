# Demo DKD baseline: as ckd_faster-rcnn_r34-r18-narrow_shapes.py with MMRazor's DKDLoss fed the
# sampled RoI labels: alpha 1, beta 0.25, T 1, 'batchmean' as mdistiller's detection DKD, but
# at CKD's weight 0.1 instead of its weight 1. At weight 1 DKD collapses this from-scratch
# student (seed 0: 19.5 bbox mAP against 56.2 alone; 0.1: 54.5), as KD does (docs/results.md,
# "Why KD and DKD collapsed"); the COCO config keeps the published weight.
_base_ = './ckd_faster-rcnn_r34-r18-narrow_shapes.py'

model = dict(
    distill_loss=dict(
        _delete_=True, type='mmrazor.DKDLoss', tau=1.0, alpha=1.0, beta=0.25,
        reduction='batchmean', loss_weight=0.1),
    distill_loss_name='loss_dkd')
