# CIFAR-100, trained alone: WRN-16-2 (MMRazor's WideResNet, 0.7 M), a student.
# Recipe: ../_base_/cifar100.py (480 epochs, batch 64, cosine, SGD lr 0.05, wd 5e-4).
# Run:    python tools/train.py configs/classification/vanilla/wrn16_2_cifar100.py
_base_ = ['../_base_/cifar100.py', '../_base_/cifar100_models.py']

model = {{_base_.wrn16_2}}
