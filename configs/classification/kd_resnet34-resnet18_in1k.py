# KD baseline, ImageNet-1K: ResNet-34 -> ResNet-18, same teacher, data and recipe as
# ckd_resnet34-resnet18_in1k.py; only the losses differ.
#
# Loss: 0.5 * CE + 0.5 * KD(T = 1) with MMRazor's KLDivergence: mdistiller's KD recipe for
#       ImageNet (megvii-research/mdistiller configs/imagenet/r34_r18/kd.yaml).
# Run:  bash tools/dist_train.sh configs/classification/kd_resnet34-resnet18_in1k.py 8
_base_ = './ckd_resnet34-resnet18_in1k.py'

model = dict(
    architecture=dict(head=dict(loss=dict(loss_weight=0.5))),
    distiller=dict(
        distill_losses=dict(
            _delete_=True, loss_kd=dict(type='KLDivergence', tau=1.0, loss_weight=0.5)),
        loss_forward_mappings=dict(
            _delete_=True,
            loss_kd=dict(preds_S=dict(from_student=True, recorder='fc'),
                         preds_T=dict(from_student=False, recorder='fc')))))
