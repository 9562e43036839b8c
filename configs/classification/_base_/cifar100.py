# CIFAR-100 recipe of the CKD paper's CIFAR configs (the CRD/mdistiller set-up): 480 epochs,
# batch 64 on one GPU, SGD lr 0.05 (0.01 for ShuffleNet/MobileNet students) momentum 0.9,
# weight decay 5e-4, cosine decay to 0 (per epoch); random crop 32 with 4-pixel padding and
# horizontal flip; top-1/top-5 on the 10,000 test images.
# Data: data/cifar100/cifar-100-python/{train,test,meta} (the official python archive, or the
# archive itself in data/cifar100/); nothing is downloaded. See the README, "Classification".
_base_ = [
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    'mmpretrain::_base_/default_runtime.py',
    '../../_base_/ckd_runtime.py',
]
# the classification networks and data sets (mmpretrain) beside the bridges and CKDLoss
custom_imports = dict(imports=['ckd_mmdet', 'ckd_mmdet.classification'],
                      allow_failed_imports=False)

data_root = 'data/cifar100/'
# typed, so that a distillation algorithm (which names no pre-processor) gets the same one
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')
train_dataloader = dict(
    batch_size=64, num_workers=4, dataset=dict(type='LocalCIFAR100', data_root=data_root))
val_dataloader = dict(
    batch_size=128, num_workers=4, dataset=dict(type='LocalCIFAR100', data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, 5))
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=480, T_max=480,
                       eta_min=0.0)
train_cfg = dict(by_epoch=True, max_epochs=480, val_interval=5)
val_cfg = dict()
test_cfg = dict()
# The recipe's batch: --auto-scale-lr rescales lr for another total batch.
auto_scale_lr = dict(base_batch_size=64)

default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))
