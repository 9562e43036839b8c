# ImageNet-1K recipe of the CKD paper's ImageNet configs: 200 epochs, batch 512 (8 GPUs x 64),
# SGD lr 0.2 momentum 0.9, weight decay 1e-4, cosine decay to 0 (per epoch); MMPretrain's
# standard augmentation (RandomResizedCrop 224 + flip; test: short edge 256, centre crop 224).
# Data: data/imagenet/{train,val}/ with meta/{train,val}.txt, MMPretrain's layout.
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs32.py',
    'mmpretrain::_base_/default_runtime.py',
    '../../_base_/ckd_runtime.py',
]
# the classification networks and data sets (mmpretrain) beside the bridges and CKDLoss
custom_imports = dict(imports=['ckd_mmdet', 'ckd_mmdet.classification'],
                      allow_failed_imports=False)

data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')
train_dataloader = dict(batch_size=64, num_workers=8)
val_dataloader = dict(batch_size=64, num_workers=8)
test_dataloader = val_dataloader

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=200, T_max=200,
                       eta_min=0.0)
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=512)

default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3, save_best='auto'))
