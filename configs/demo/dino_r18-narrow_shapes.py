# A DETR on the shapes set (CPU): DINO with a narrow ResNet-18 (base 16 channels, stages 2-4
# into a 256-channel ChannelMapper, 4 levels), 2 encoder and 3 decoder layers (FFN 512), 100
# queries, 20 denoising queries, trained from scratch; mmdet's DINO head, matcher and losses.
# AdamW lr 2e-4 (grad clip 0.1), 4000 iterations x 4 images, the demos' 100-iteration warm-up
# and cosine (until 2026-12-04: lr x 0.1 at 3500, the schedule of the curve); the demo's data
# (160 px) and runtime. Whether a DETR learns here on 2 CPU cores: docs/results.md#detr-on-the-
# shapes-set (the curve of this config under its earlier schedule, validated every 500
# iterations). Its teacher: dino_r34_shapes.py; distilled: ckd_/kd_dino_r34-r18-narrow_shapes.py.
# Run:  python tools/train.py configs/demo/dino_r18-narrow_shapes.py
_base_ = './faster-rcnn_r18-narrow_shapes.py'

model = dict(
    _delete_=True,
    _scope_='mmdet',
    type='DINO',
    num_queries=100,
    with_box_refine=True,
    as_two_stage=True,
    data_preprocessor=dict(type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=1),
    backbone=dict(type='ResNet', depth=18, base_channels=16, num_stages=4,
                  out_indices=(1, 2, 3), frozen_stages=-1,
                  norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False,
                  style='pytorch', init_cfg=None),
    neck=dict(type='ChannelMapper', in_channels=[32, 64, 128], kernel_size=1, out_channels=256,
              act_cfg=None, norm_cfg=dict(type='GN', num_groups=32), num_outs=4),
    encoder=dict(num_layers=2, layer_cfg=dict(
        self_attn_cfg=dict(embed_dims=256, num_levels=4, dropout=0.0),
        ffn_cfg=dict(embed_dims=256, feedforward_channels=512, ffn_drop=0.0))),
    decoder=dict(num_layers=3, return_intermediate=True, layer_cfg=dict(
        self_attn_cfg=dict(embed_dims=256, num_heads=8, dropout=0.0),
        cross_attn_cfg=dict(embed_dims=256, num_levels=4, dropout=0.0),
        ffn_cfg=dict(embed_dims=256, feedforward_channels=512, ffn_drop=0.0)),
        post_norm_cfg=None),
    positional_encoding=dict(num_feats=128, normalize=True, offset=0.0, temperature=20),
    bbox_head=dict(type='DINOHead', num_classes=12, sync_cls_avg_factor=True,
                   loss_cls=dict(type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
                                 loss_weight=1.0),
                   loss_bbox=dict(type='L1Loss', loss_weight=5.0),
                   loss_iou=dict(type='GIoULoss', loss_weight=2.0)),
    dn_cfg=dict(label_noise_scale=0.5, box_noise_scale=1.0,
                group_cfg=dict(dynamic=True, num_groups=None, num_dn_queries=20)),
    train_cfg=dict(assigner=dict(type='HungarianAssigner', match_costs=[
        dict(type='FocalLossCost', weight=2.0),
        dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
        dict(type='IoUCost', iou_mode='giou', weight=2.0)])),
    test_cfg=dict(max_per_img=50))

optim_wrapper = dict(_delete_=True, type='OptimWrapper',
                     optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4),
                     clip_grad=dict(max_norm=0.1, norm_type=2))
train_cfg = dict(max_iters=4000, val_interval=500)
param_scheduler = [  # the shapes demos' warm-up and cosine, to 1 % of the lr as theirs
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=4000, eta_min=2e-6),
]
