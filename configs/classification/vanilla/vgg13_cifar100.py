# CIFAR-100, trained alone: CRD VGG-13 with BN (9.4 M), a teacher.
# Recipe: ../_base_/cifar100.py (480 epochs, batch 64, cosine, SGD lr 0.05, wd 5e-4).
# Run:    python tools/train.py configs/classification/vanilla/vgg13_cifar100.py
_base_ = ['../_base_/cifar100.py', '../_base_/cifar100_models.py']

model = {{_base_.vgg13}}
