# The RetinaNet demo student: the dense demo student (gfl_r18-narrow_shapes.py: narrow ResNet-18,
# 32-channel FPN from p2, strides 4-64) with mmdet's RetinaHead in place of GFL's: 9 anchors per
# location (3 scales x 3 ratios), MaxIoU assignment (0.5 / 0.4), focal loss, L1 box deltas;
# data, schedule, lr (0.02, grad clip 10) and runtime are the dense student's.
_base_ = './gfl_r18-narrow_shapes.py'

model = dict(
    type='RetinaNet',
    bbox_head=dict(
        _delete_=True,
        type='RetinaHead', num_classes={{_base_.model.bbox_head.num_classes}},
        in_channels=32, stacked_convs=2, feat_channels=32,
        anchor_generator=dict(type='AnchorGenerator', octave_base_scale=4, scales_per_octave=3,
                              ratios=[0.5, 1.0, 2.0], strides=[4, 8, 16, 32, 64]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0],
                        target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
                      loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    train_cfg=dict(
        _delete_=True,
        assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.4, min_pos_iou=0,
                      ignore_iof_thr=-1),
        sampler=dict(type='PseudoSampler'), allowed_border=-1, pos_weight=-1, debug=False),
    test_cfg=dict(nms=dict(type='nms', iou_threshold=0.5)))
