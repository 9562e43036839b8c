# KD baseline, CIFAR-100: resnet32x4 -> resnet8x4, same teacher, data and recipe as
# ckd_resnet32x4-resnet8x4_cifar100.py; only the losses differ.
#
# Loss: 0.1 * CE + 0.9 * KD(T = 4) with MMRazor's KLDivergence (T^2-scaled, per-image sum
#       over classes averaged over the batch): mdistiller's KD defaults for CIFAR-100
#       (megvii-research/mdistiller mdistiller/engine/cfg.py, CFG.KD).
# Run:  python tools/train.py configs/classification/kd_resnet32x4-resnet8x4_cifar100.py
_base_ = './ckd_resnet32x4-resnet8x4_cifar100.py'

model = dict(
    architecture=dict(head=dict(loss=dict(loss_weight=0.1))),
    distiller=dict(
        distill_losses=dict(
            _delete_=True, loss_kd=dict(type='KLDivergence', tau=4.0, loss_weight=0.9)),
        loss_forward_mappings=dict(
            _delete_=True,
            loss_kd=dict(preds_S=dict(from_student=True, recorder='fc'),
                         preds_T=dict(from_student=False, recorder='fc')))))
