# The ReviewCKD schedule (official_ms-360k_coco-detection.py) for COCO instance segmentation:
# the same data and schedule, with polygon masks loaded and evaluated (as
# mmdet::common/ms-poly-90k_coco-instance.py does for its 90k schedule).
_base_ = './official_ms-360k_coco-detection.py'

backend = 'pillow'
load_annotations = dict(type='LoadAnnotations', with_bbox=True, with_mask=True,
                        poly2mask=False)
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None, imdecode_backend=backend),
    load_annotations,
    dict(type='RandomChoiceResize',
         scales=[(1333, 640), (1333, 672), (1333, 704), (1333, 736), (1333, 768),
                 (1333, 800)],
         keep_ratio=True, backend=backend),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None, imdecode_backend=backend),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True, backend=backend),
    load_annotations,
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(metric=['bbox', 'segm'])
test_evaluator = val_evaluator
