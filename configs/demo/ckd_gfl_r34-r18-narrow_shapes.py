# Dense demo CKD: the shapes GFL teacher (gfl_r34_shapes.py) distilled into the narrow R-18
# GFL student (gfl_r18-narrow_shapes.py), same schedule as the student alone. Loss: GFL's
# losses + CKD on the student's assigner positives (all images of the batch pooled), tau = 1,
# rows centred (samples.center, the default).
# Run:  make demo-dense (trains the teacher first), or
#       python tools/train.py configs/demo/ckd_gfl_r34-r18-narrow_shapes.py \
#           --cfg-options model.teacher_ckpt=work_dirs/demo_dense/teacher/iter_1200.pth
_base_ = './gfl_r18-narrow_shapes.py'

model = dict(
    type='SingleStageDistiller',
    teacher_config='{{ fileDirname }}/gfl_r34_shapes.py',
    teacher_ckpt='work_dirs/demo_dense/teacher/iter_1200.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=1.0, tau=1.0),
    samples=dict(mode='positives', center=True))
