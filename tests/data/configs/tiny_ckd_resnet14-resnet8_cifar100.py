# The tiny pair of the classification tests through the shipped CKD config: only the nets
# and the data/schedule of ./tiny_resnet8_cifar100.py change. The teacher checkpoint comes
# from the test (--cfg-options model.teacher_ckpt=...).
_base_ = '../../../configs/classification/ckd_resnet32x4-resnet8x4_cifar100.py'

model = dict(
    architecture=dict(backbone=dict(depth=8, num_filters=(8, 8, 16, 16)),
                      head=dict(in_channels=16)),
    teacher=dict(backbone=dict(depth=14, num_filters=(16, 16, 32, 64)),
                 head=dict(in_channels=64)),
    teacher_ckpt=None)
train_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False,
                        dataset=dict(verify_md5=False))
val_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False,
                      dataset=dict(verify_md5=False))
test_dataloader = val_dataloader
param_scheduler = dict(end=1, T_max=1)
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, save_best=None))
randomness = dict(seed=0)
