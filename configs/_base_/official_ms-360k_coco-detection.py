# The ReviewCKD schedule of the CKD authors (ZhouXinzzzzz/CKD detection/configs/CKD/
# ReviewCKD-*.yaml on Base-Distillation.yaml), in mmdet terms, for COCO detection:
# - data: mmdet's Detectron2-aligned multi-scale set (mmdet::common/ms-90k_coco.py): short side
#   one of 640, 672, ..., 800 (MIN_SIZE_TRAIN), long side <= 1333, flip; test at 800;
# - SGD lr 0.01, momentum 0.9, weight decay 1e-4 (BASE_LR; Detectron2's defaults), 360k
#   iterations, lr x0.1 at 240k and 320k (MAX_ITER, STEPS), linear warm-up over 1000
#   iterations from 0.001 (Detectron2's default WARMUP_ITERS/FACTOR);
# - 2 GPUs x 4 images (IMS_PER_BATCH 8 on --num-gpus 2); the R-18 Faster R-CNN student sets
#   2 images per GPU (IMS_PER_BATCH 4). auto_scale_lr's base is that total batch.
_base_ = 'mmdet::common/ms-90k_coco.py'

max_iter = 360000
train_dataloader = dict(batch_size=4)
train_cfg = dict(max_iters=max_iter, val_interval=60000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),
    dict(type='MultiStepLR', begin=0, end=max_iter, by_epoch=False,
         milestones=[240000, 320000], gamma=0.1),
]
optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(base_batch_size=8)
