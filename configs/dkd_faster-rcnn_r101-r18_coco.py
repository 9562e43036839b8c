# DKD baseline, COCO 2017: Faster R-CNN R-101-FPN -> R-18-FPN, same distiller, same RoIs and
# schedule as ckd_faster-rcnn_r101-r18_coco.py; only the distillation loss differs.
#
# Loss: MMRazor's DKDLoss on the RoI logits, fed the sampled RoI labels (background =
#       num_classes). alpha 1, beta 0.25, T 1: mdistiller's COCO DKD recipe as we recall it
#       (not verified against its code). reduction must stay 'batchmean': mmrazor passes the
#       legacy size_average=False to F.kl_div, which turns 'mean' into a silent sum.
# Run:  bash tools/dist_train.sh configs/dkd_faster-rcnn_r101-r18_coco.py 8
_base_ = './ckd_faster-rcnn_r101-r18_coco.py'

model = dict(
    distill_loss=dict(
        _delete_=True, type='mmrazor.DKDLoss', tau=1.0, alpha=1.0, beta=0.25,
        reduction='batchmean', loss_weight=1.0),
    distill_loss_name='loss_dkd')
