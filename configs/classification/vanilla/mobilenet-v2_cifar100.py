# CIFAR-100, trained alone: MobileNetV2 x0.5 with CRD's CIFAR strides (0.8 M), a student.
# Recipe: ../_base_/cifar100.py (480 epochs, batch 64, cosine, SGD lr 0.01, wd 5e-4).
# Run:    python tools/train.py configs/classification/vanilla/mobilenet-v2_cifar100.py
_base_ = ['../_base_/cifar100.py', '../_base_/cifar100_models.py']

model = {{_base_.mobilenet_v2}}
optim_wrapper = dict(optimizer=dict(lr=0.01))
