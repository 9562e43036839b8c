# The demo CKD run (ckd_faster-rcnn_r34-r18-narrow_shapes.py) with TensorBoard beside the
# local logs: the same training, its losses and the distillers' scalars (teacher_acc,
# ckd_top1, distill_rows) also written as TensorBoard events under
# <work_dir>/<timestamp>/vis_data/. Needs tensorboard (pip install -e .[tensorboard]).
# Any config gets the same from the two statements below, with its own file as _base_.
# Run:  python tools/train.py configs/demo/ckd_faster-rcnn_r34-r18-narrow_shapes_tensorboard.py \
#           --cfg-options model.teacher_ckpt=work_dirs/demo/teacher/iter_1200.pth
#       tensorboard --logdir work_dirs/ckd_faster-rcnn_r34-r18-narrow_shapes_tensorboard
_base_ = './ckd_faster-rcnn_r34-r18-narrow_shapes.py'

visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
                                dict(type='TensorboardVisBackend')])
