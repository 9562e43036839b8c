# ImageNet-1K, trained alone: ResNet-18 (MMPretrain's), the student of the R34 pair, with the
# CKD recipe (MMPretrain's own resnet18_8xb32_in1k.py uses batch 256, lr 0.1, 100 epochs).
# Recipe: ../_base_/imagenet.py (200 epochs, batch 512, cosine, SGD lr 0.2, wd 1e-4).
# Run:    bash tools/dist_train.sh configs/classification/vanilla/resnet18_in1k.py 8
_base_ = ['../_base_/imagenet.py', '../_base_/imagenet_models.py']

model = {{_base_.resnet18}}
