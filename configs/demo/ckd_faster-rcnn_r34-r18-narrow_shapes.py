# Demo CKD: the shapes teacher (faster-rcnn_r34_shapes.py) distilled into the narrow R-18
# student (faster-rcnn_r18-narrow_shapes.py) with the same schedule as the student alone.
# Loss: detection losses + 0.1 * CKD on the student's 128 sampled RoIs per image, tau = 1.
# Run:  make demo (trains the teacher first), or
#       python tools/train.py configs/demo/ckd_faster-rcnn_r34-r18-narrow_shapes.py \
#           --cfg-options model.teacher_ckpt=work_dirs/demo/teacher/iter_1200.pth
_base_ = './faster-rcnn_r18-narrow_shapes.py'

model = dict(
    type='TwoStageDistiller',
    teacher_config='{{ fileDirname }}/faster-rcnn_r34_shapes.py',
    teacher_ckpt='work_dirs/demo/teacher/iter_1200.pth',
    distill_loss=dict(type='CKDLoss', loss_weight=0.1, tau=1.0))
