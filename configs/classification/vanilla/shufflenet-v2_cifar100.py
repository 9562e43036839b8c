# CIFAR-100, trained alone: ShuffleNetV2 1x with CRD's CIFAR stem (1.4 M), a student.
# Recipe: ../_base_/cifar100.py (480 epochs, batch 64, cosine, SGD lr 0.01, wd 5e-4).
# Run:    python tools/train.py configs/classification/vanilla/shufflenet-v2_cifar100.py
_base_ = ['../_base_/cifar100.py', '../_base_/cifar100_models.py']

model = {{_base_.shufflenet_v2}}
optim_wrapper = dict(optimizer=dict(lr=0.01))
