# KD baseline for
#   ckd_deformable-detr-refine-twostage_r50-r18_16xb2-50e_coco.py:
# the same distiller, teacher, consistent points and schedule. Loss: SigmoidKDLoss (beta 1,
# weight 1) on every matching query (300 per image), weighted by the teacher's highest class
# probability (KD-DETR's confidence weighting, Myleswork/KD-DETR models/DAB_DETR/kd_loss.py;
# its own softmax KL and box terms are not reproduced), raw rows.
# Run:  bash tools/dist_train.sh \
#           configs/detr/kd_deformable-detr-refine-twostage_r50-r18_16xb2-50e_coco.py 16
_base_ = ['./ckd_deformable-detr-refine-twostage_r50-r18_16xb2-50e_coco.py']

model = dict(distill_loss=dict(_delete_=True, type='SigmoidKDLoss', loss_weight=1.0, beta=1.0),
             samples=dict(_delete_=True, mode='all', weight='teacher_confidence', center=False))
