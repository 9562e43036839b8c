# The dense demo student: GFL with the narrow ResNet-18 (base width 16) and a 32-channel FPN
# from p2 (strides 4-64, anchors 16-256 px for the shapes set's 16-72 px objects), trained
# from scratch; data, schedule and runtime are the two-stage demo's
# (faster-rcnn_r18-narrow_shapes.py), lr halved for the dense head (0.02, grad clip 10).
_base_ = './faster-rcnn_r18-narrow_shapes.py'

model = dict(
    _delete_=True,
    _scope_='mmdet',  # what the mmdet:: bases' models carry
    type='GFL',
    data_preprocessor=dict(type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=32),
    backbone=dict(type='ResNet', depth=18, base_channels=16, num_stages=4,
                  out_indices=(0, 1, 2, 3), frozen_stages=-1,
                  norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False,
                  style='pytorch', init_cfg=None),
    neck=dict(type='FPN', in_channels=[16, 32, 64, 128], out_channels=32, start_level=0,
              add_extra_convs='on_output', num_outs=5),
    bbox_head=dict(
        type='GFLHead', num_classes={{_base_.model.roi_head.bbox_head.num_classes}},
        in_channels=32, stacked_convs=2, feat_channels=32,
        anchor_generator=dict(type='AnchorGenerator', ratios=[1.0], octave_base_scale=4,
                              scales_per_octave=1, strides=[4, 8, 16, 32, 64]),
        loss_cls=dict(type='QualityFocalLoss', use_sigmoid=True, beta=2.0, loss_weight=1.0),
        loss_dfl=dict(type='DistributionFocalLoss', loss_weight=0.25),
        reg_max=16,
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0)),
    train_cfg=dict(assigner=dict(type='ATSSAssigner', topk=9), allowed_border=-1,
                   pos_weight=-1, debug=False),
    test_cfg=dict(nms_pre=1000, min_bbox_size=0, score_thr=0.05,
                  nms=dict(type='nms', iou_threshold=0.6), max_per_img=50))

optim_wrapper = dict(optimizer=dict(lr=0.02))
