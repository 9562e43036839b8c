# KD baseline for
#   ckd_dino_swin-l-r50_8xb2-12e_coco.py:
# the same distiller, teacher, consistent points and schedule; the loss and the rows differ.
# Loss: SigmoidKDLoss (per class BCE to the teacher's probability times |p_s - p_t|, beta 1,
# weight 1) on every matching query (900 per image), each weighted by the teacher's highest
# class probability and averaged by their sum: KD-DETR's confidence weighting of its
# distillation points (Myleswork/KD-DETR models/DAB_DETR/kd_loss.py; its own softmax KL at
# T 10 and box terms are not reproduced). Rows not centred: the soft targets are the
# teacher's own probabilities.
# Run:  bash tools/dist_train.sh configs/detr/kd_dino_swin-l-r50_8xb2-12e_coco.py 8
_base_ = ['./ckd_dino_swin-l-r50_8xb2-12e_coco.py']

model = dict(distill_loss=dict(_delete_=True, type='SigmoidKDLoss', loss_weight=1.0, beta=1.0),
             samples=dict(_delete_=True, mode='all', weight='teacher_confidence', center=False))
