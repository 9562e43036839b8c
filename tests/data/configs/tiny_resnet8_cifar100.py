# A tiny CIFAR-100 student for the tests: CRD's resnet8 layout at a quarter of its width,
# the shipped CIFAR recipe shrunk to one epoch of a generated folder (verify_md5 off).
_base_ = '../../../configs/classification/vanilla/resnet8x4_cifar100.py'

model = dict(backbone=dict(num_filters=(8, 8, 16, 16)), head=dict(in_channels=16))
train_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False,
                        dataset=dict(verify_md5=False))
val_dataloader = dict(batch_size=16, num_workers=0, persistent_workers=False,
                      dataset=dict(verify_md5=False))
test_dataloader = val_dataloader
param_scheduler = dict(end=1, T_max=1)
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, save_best=None))
randomness = dict(seed=0)
