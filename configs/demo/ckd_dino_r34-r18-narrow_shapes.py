# DINO demo CKD: the shapes DINO teacher (dino_r34_shapes.py) distilled into the narrow R-18
# DINO student (dino_r18-narrow_shapes.py), same schedule as the student alone. The teacher's
# decoder answers the student's queries from the student's initial boxes; loss: DINO's losses
# + CKD on the student's Hungarian-matched queries of the last decoder layer (one row per
# object, all images of the batch pooled), tau 1, rows centred, weight 1 (docs/detr.md).
# Measured by benchmarks/distill_quality.py --pair dino (docs/results.md).
# Run:  python tools/train.py configs/demo/ckd_dino_r34-r18-narrow_shapes.py \
#           --cfg-options model.teacher_ckpt=work_dirs/dino_r34_shapes/iter_4000.pth
_base_ = './dino_r18-narrow_shapes.py'

model = dict(
    type='DINODistiller',
    teacher_config='{{ fileDirname }}/dino_r34_shapes.py',
    teacher_ckpt='work_dirs/dino_r34_shapes/iter_4000.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=1.0, tau=1.0),
    samples=dict(mode='positives', center=True))
